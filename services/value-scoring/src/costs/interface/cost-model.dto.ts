import { z } from 'zod';

const price = z.number().finite().min(0);

/** Body of PUT /v1/cost-model: the whole model, prices in the account currency, each >= 0. */
export const costModelBody = z
  .object({
    /** The version being replaced (GET's `version`; 0 while the defaults apply): a concurrent edit answers 409. */
    expectedVersion: z.number().int().min(0),
    perOrder: price,
    perReturn: price,
    perServiceCall: price,
    perContact: z.record(z.string().min(1).max(64), price).refine((r) => Object.keys(r).length <= 100, 'at most 100 channels'),
    perContactDefault: price,
    perCustomerYear: price,
  })
  .strict();
export type CostModelBody = z.infer<typeof costModelBody>;
