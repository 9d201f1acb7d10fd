import { evidenceOf } from './evidence';
import { defaultProfilingConfig } from './profiling-config';
import { deriveGiftBuying, derivePriceSensitivity } from './purchase-habits';
import { day, ordered, track } from './testing/resolved-event.factory';

const cfg = defaultProfilingConfig;
const round3 = (x: number) => Math.round(x * 1000) / 1000;
const purchase = (...args: Parameters<typeof ordered>) => {
  const [signal] = evidenceOf(ordered(...args), cfg).purchases;
  if (!signal) throw new Error('expected a purchase signal');
  return signal;
};

describe('price sensitivity', () => {
  it('is the share of purchases that used a discount', () => {
    const purchases = [
      purchase({ coupon: 'WELCOME10' }, { id: 'a', at: day(1) }),
      purchase({ coupon: 'SUMMER' }, { id: 'b', at: day(2) }),
      purchase({}, { id: 'c', at: day(3) }),
    ];
    const [fact] = derivePriceSensitivity(purchases, cfg.priceSensitivity);
    // 2 of 3; confidence 3 purchases against confidenceHalfCount 3.
    expect(fact).toMatchObject({ key: 'price.sensitivity', value: round3(2 / 3), confidence: 0.5, observedAt: day(3), sourceEventId: 'c' });
  });

  it('needs a minimum number of purchases', () => {
    expect(derivePriceSensitivity([purchase({ coupon: 'X' }, { id: 'a' }), purchase({}, { id: 'b' })], cfg.priceSensitivity)).toEqual([]);
  });

  it('sees discounts on products and as amounts, and ignores empty coupons', () => {
    const productCoupon = evidenceOf(track('Order Completed', { products: [{ product_id: 'p', coupon: 'P10' }] }), cfg).purchases[0];
    const amount = evidenceOf(track('Order Completed', { discount: 2.5 }), cfg).purchases[0];
    const empty = evidenceOf(track('Order Completed', { coupon: '', discount: 0 }), cfg).purchases[0];
    expect([productCoupon?.discounted, amount?.discounted, empty?.discounted]).toEqual([true, true, false]);
  });
});

describe('gift buying', () => {
  it('flags a gift buyer when enough purchases are gifts', () => {
    const purchases = [purchase({ gift: true }, { id: 'a' }), purchase({}, { id: 'b' }), purchase({}, { id: 'c' })];
    // 1 of 3 >= minGiftShare 0.25.
    expect(deriveGiftBuying(purchases, cfg.giftBuying)).toEqual([
      expect.objectContaining({ key: 'gift.buyer', value: true, confidence: 0.5 }),
    ]);
  });

  it('states "not a gift buyer" once there is enough evidence without gifts', () => {
    const purchases = [
      purchase({}, { id: 'a' }),
      purchase({}, { id: 'b' }),
      purchase({ gift: true }, { id: 'c' }),
      purchase({}, { id: 'd' }),
      purchase({}, { id: 'e' }),
    ];
    // 1 of 5 = 0.2 < 0.25.
    expect(deriveGiftBuying(purchases, cfg.giftBuying)[0]?.value).toBe(false);
    expect(deriveGiftBuying([purchase({ gift: true }, { id: 'x' })], cfg.giftBuying)).toEqual([]);
  });

  it('treats shipping to another address as a gift, but not the same address written differently', () => {
    const home = { street: '1 Main St', city: 'Springfield' };
    expect(purchase({ shipping: { street: '9 Elm St', city: 'Shelbyville' }, billing: home }).gift).toBe(true);
    expect(purchase({ shipping: { street: '1  main st', city: 'SPRINGFIELD' }, billing: home }).gift).toBe(false);
    expect(purchase({ shipping: home }).gift).toBe(false);
  });
});
