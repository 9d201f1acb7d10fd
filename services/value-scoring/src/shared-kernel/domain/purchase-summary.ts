/**
 * The customer's purchase history summary as every capability of the service works with it:
 * plain TypeScript, no persistence. purchases keeps it live from resolved events, valuation
 * scores it, models fit and re-score from it, the value queries read it. How it is stored
 * (mongoose schema, JSON text fields) is purchases/infrastructure's business
 * (purchase-summary.schema.ts maps it both ways).
 */

/** An order line of a summary. */
export interface OrderLine {
  /** The event that brought the line: dedupes lines when summaries are folded together. */
  eventId?: string;
  /** The source that sent the order; with orderId the purchase's business key (absent on lines stored before it was kept). */
  sourceId?: string;
  orderId: string;
  kind: 'purchase' | 'refund';
  /** Event time (never processing time), so imported history summarises like live history. */
  at: Date;
  /** Signed: negative for refunds. */
  amount: number;
  channel?: string;
  categories: string[];
  /**
   * The customer id the resolved event carried and the identifiers it had ("type:value"): a merge
   * folds lines into the survivor, and a later split needs them to give each line back.
   */
  origin?: string;
  identifiers: string[];
}

/**
 * What a customer's oldest order lines leave behind once folded away (bounded customers): the
 * purchase days and their value, the first day's value, the totals. The history of archive plus
 * the lines kept is that of all lines (purchaseHistory), with two approximations: a refund among
 * the kept lines of an archived order reduces only the net revenue, and a line arriving later
 * than the window for a day already archived adds its value but not a day.
 */
export interface OrderArchive {
  /** Lines folded in (purchases and refunds). */
  lines: number;
  /** Purchase lines folded in (the summary's running count of purchases includes them). */
  purchases: number;
  /** Orders folded in that still count as purchases. */
  orders: number;
  /** Signed sum of the folded lines. */
  revenue: number;
  /** UTC days with a purchase, their summed net value, and the first one's value. */
  purchaseDays: number;
  dayValueSum: number;
  firstDayValue: number;
  firstPurchaseDay?: Date;
  lastPurchaseDay?: Date;
  /** Start of the latest UTC day folded in: every line before the next day is in the archive. */
  throughDay: Date;
  /** Customers whose archive a merge combined into this one (so folding twice adds nothing twice). */
  mergedFrom?: string[];
}

/** What a customer has cost so far, counted from events (stored on the summary). */
export interface CostCounts {
  /** Refund lines: each is a return to handle. */
  returns: number;
  serviceCalls: number;
  /** Outbound contacts per channel. */
  contacts: Record<string, number>;
  /** Customers whose counts a merge added into these (so a repeated fold adds nothing twice). */
  mergedFrom?: string[];
}

/** The value state last computed for the customer; what the API answers and the topic carries. */
export interface CustomerScore {
  /** Margin: grossValue minus costToServe (absent on scores made before costs were counted: then revenue only). */
  actualValue: number;
  grossValue?: number;
  costToServe?: number;
  strategicValue: number;
  tier: string;
  probabilityAlive?: number;
  expectedPurchases?: number;
  expectedYearlySpend?: number;
  modelVersion: string;
  peerGroup?: string;
  peerLevel?: number;
  peerCustomers?: number;
  reasons: string[];
  scoredAt: Date;
}

/** A customer's purchase history summary, kept live from resolved events; keyed by customer id. */
export interface PurchaseSummary {
  _id: string;
  /** Purchases and refunds in event time: the source every other history field is derived from. */
  orders: OrderLine[];
  purchases: number;
  revenue: number;
  firstSeenAt?: Date;
  firstPurchaseAt?: Date;
  lastPurchaseAt?: Date;
  channels: string[];
  categories: string[];
  /** Ids of events already applied (bounded): a redelivery changes nothing. */
  appliedEvents: string[];
  /** Order lines folded away beyond ORDER_LINES_KEPT (bounded customers): what scoring needs of them. */
  archive?: OrderArchive;
  /** Returns, service calls and contacts counted from events: what the cost model prices. */
  costs?: CostCounts;
  /** Set when this customer was merged into another: its events now count there. */
  mergedInto?: string;
  /** Bumped by every change of the order lines; scores are written only against the revision they read. */
  revision: number;
  /** Marks the batch write that last set this state: after a lost race, tells whose write stuck. */
  writeId?: string;

  /** Model inputs derived from the order lines (see purchaseHistory); T is measured at scoring time. */
  x?: number;
  mx?: number;
  orderCount?: number;
  firstPurchaseDay?: Date;
  lastPurchaseDay?: Date;

  /** From needs.profiles.v1: all this service keeps of a needs profile (peer grouping). */
  archetypes?: string[];
  needsUpdatedAt?: Date;

  score?: CustomerScore;
  /** The revision the score was computed from: an unchanged revision needs no re-scoring. */
  scoredRevision?: number;
  /**
   * Actual value as of the last re-scoring pass, written only by the (locked) job: the
   * value-sorted tier walk pages on it, and live updates of the score cannot reorder customers
   * under the walk.
   */
  rankValue?: number;
  /** Room to grow (the score's strategic value) of the latest score, on every score write: the most-growable ranking's key. */
  growthValue?: number;
  /** The band of growthValue (growth-band.ts), absent without room to grow: what a most-growable page reads by equality. */
  growthBand?: string;
  /** Last published tier and value, to publish only material changes. */
  publishedTier?: string;
  publishedValue?: number;
  publishedStrategicValue?: number;
  /**
   * Purchases and net revenue of the last published state: a change of either is always
   * published (the topic carries the full current state), even when it leaves the value where
   * it was (a fitted model values a second order on the same day as the first one alike).
   */
  publishedPurchases?: number;
  publishedRevenue?: number;
  /**
   * Set with a state whose event went out in the consumer's Kafka transaction, cleared once that
   * committed: still set when read, the transaction may have been aborted, so the state is
   * published again.
   */
  pendingPublish?: boolean;
  /**
   * The cause of the pending state (its W3C traceparent and ids): a state published again carries
   * the trace and ids of the change that made it, not of whatever input touched the customer next.
   */
  pendingCause?: StoredCause;
}

/** A change's cause as stored with a pending state. */
export interface StoredCause {
  traceparent?: string;
  causationId?: string;
  correlationId?: string;
}

/** What a customer with no summary yet starts as. */
export function emptySummary(id: string): PurchaseSummary {
  return { _id: id, orders: [], purchases: 0, revenue: 0, channels: [], categories: [], appliedEvents: [], revision: 0 };
}

/** The score fields of one summary to write, only if the summary still has the revision it was computed from. */
export interface ScoreWrite {
  customerId: string;
  /** The revision the score was computed from: the write is skipped if the summary moved on. */
  revision: number;
  set: Record<string, unknown>;
  /** Fields to remove (derived dates of a history that lost its purchases in a split). */
  unset?: string[];
  /** The state was published before this write: it moves the revision on (see writeScores). */
  published?: boolean;
}
