import type { PurchaseSummary, ScoreWrite } from '../../../shared-kernel/domain';
import type { SplitPart } from '../../domain/order-lines';
import type { FitInputs, LoadedSummaries, PurchaseSummaries, SummaryWrite } from './purchase-summaries.port';

/**
 * A fake of the PurchaseSummaries port that refuses every call: a spec's fake overrides what the
 * use case under test calls, and a call it did not expect fails the test loudly.
 */
export class RefusingSummaries implements PurchaseSummaries {
  loadResolving(_customerIds: readonly string[]): Promise<LoadedSummaries> {
    return refused('loadResolving');
  }
  save(_writes: readonly SummaryWrite[]): Promise<Set<string>> {
    return refused('save');
  }
  confirmPublished(_published: ReadonlyArray<{ customerId: string; revision: number }>): Promise<void> {
    return refused('confirmPublished');
  }
  find(_customerIds: string[]): Promise<PurchaseSummary[]> {
    return refused('find');
  }
  findOne(_customerId: string): Promise<PurchaseSummary | null> {
    return refused('findOne');
  }
  writeScores(_writes: ScoreWrite[]): Promise<string[]> {
    return refused('writeScores');
  }
  setRankValues(_values: Array<{ customerId: string; rankValue: number }>): Promise<void> {
    return refused('setRankValues');
  }
  growablePage(_after: { growthValue: number; id: string } | undefined, _limit: number): Promise<PurchaseSummary[]> {
    return refused('growablePage');
  }
  page(_afterId: string | undefined, _limit: number): Promise<PurchaseSummary[]> {
    return refused('page');
  }
  fitPage(_afterId: string | undefined, _limit: number): Promise<FitInputs[]> {
    return refused('fitPage');
  }
  countWithPurchases(): Promise<number> {
    return refused('countWithPurchases');
  }
  rankPage(_after: { rankValue: number; id: string } | undefined, _limit: number): Promise<PurchaseSummary[]> {
    return refused('rankPage');
  }
  fold(_survivorId: string, _mergedId: string): Promise<boolean> {
    return refused('fold');
  }
  split(_eventId: string, _customerId: string, _parts: SplitPart[]): Promise<string[]> {
    return refused('split');
  }
}

function refused(method: string): Promise<never> {
  return Promise.reject(new Error(`PurchaseSummaries.${method} was not expected in this test`));
}
