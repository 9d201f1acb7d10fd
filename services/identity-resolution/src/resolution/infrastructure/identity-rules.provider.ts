import { BeforeApplicationShutdown, Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Collection, Connection } from 'mongoose';
import { compileIdentityRules, IdentifierTypeRuleInput, IdentityRules } from '../../matching/domain';
import type { IdentityResolutionConfig } from '../../config/identity-resolution.config';
import { IDENTITY_CONFIG } from '../../identity.tokens';
import { RulesInForce } from '../application/ports/rules-in-force.port';

/** An identifier type added through the API (passport, driver's licence, tax id, an operator's own). */
export interface IdentifierTypeDocument {
  _id: string;
  /** identifierTypeRuleSchema input, as JSON text: regular expressions and dots are not safe as keys everywhere. */
  rule: string;
  updatedAt: Date;
}

export class ConfiguredIdentifierTypeError extends Error {
  constructor(readonly type: string) {
    super(`identifier type ${type} is set by the service's configuration (IDENTITY_RULES_FILE/JSON), not through the API`);
    this.name = 'ConfiguredIdentifierTypeError';
  }
}

/**
 * The identity rules in force: the configured rules plus the identifier types added at run time,
 * compiled together. Every instance re-reads the added types every MATCHING_PARAMETERS_REFRESH_MS,
 * so a type added through one instance's API is used by all without a restart. Synchronous
 * current(): extraction on the hot path never waits for the database.
 */
@Injectable()
export class IdentityRulesProvider implements RulesInForce, OnModuleInit, BeforeApplicationShutdown {
  private rules: IdentityRules;
  private added = new Map<string, IdentifierTypeRuleInput & { updatedAt: Date }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @InjectConnection() private readonly connection: Connection,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityResolutionConfig,
  ) {
    this.rules = config.rules;
  }

  private get collection(): Collection<IdentifierTypeDocument> {
    return this.connection.collection<IdentifierTypeDocument>('identifier_types');
  }

  async onModuleInit(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), this.config.MATCHING_PARAMETERS_REFRESH_MS);
    // A refresh timer never keeps a process alive on its own (an app that failed to start, a test).
    this.timer.unref();
  }

  beforeApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  current(): IdentityRules {
    return this.rules;
  }

  /** Every type in force, configured or added, with where it comes from. */
  list(): Array<{ type: string; origin: 'configuration' | 'api'; rule: IdentifierTypeRuleInput; updatedAt?: string }> {
    const configured = Object.entries(this.config.rulesInput.identifierTypes).map(([type, rule]) => ({
      type,
      origin: 'configuration' as const,
      rule,
    }));
    const added = [...this.added.entries()].map(([type, { updatedAt, ...rule }]) => ({
      type,
      origin: 'api' as const,
      rule,
      updatedAt: updatedAt.toISOString(),
    }));
    return [...configured, ...added].sort((a, b) => a.type.localeCompare(b.type));
  }

  /** Adds or replaces a run-time type; validated by compiling the whole rule set with it first. */
  async put(type: string, rule: IdentifierTypeRuleInput): Promise<void> {
    if (type in this.config.rulesInput.identifierTypes) throw new ConfiguredIdentifierTypeError(type);
    compileIdentityRules(this.compose(new Map([...this.added, [type, { ...rule, updatedAt: new Date() }]])));
    await this.collection.updateOne({ _id: type }, { $set: { rule: JSON.stringify(rule), updatedAt: new Date() } }, { upsert: true });
    await this.refresh();
  }

  /** Removes a run-time type: its values stop being read from events; identifiers already stored stay. */
  async remove(type: string): Promise<boolean> {
    if (type in this.config.rulesInput.identifierTypes) throw new ConfiguredIdentifierTypeError(type);
    const result = await this.collection.deleteOne({ _id: type });
    await this.refresh();
    return result.deletedCount === 1;
  }

  private async refresh(): Promise<void> {
    const docs = await this.collection.find({}).toArray();
    const added = new Map(docs.map((doc) => [doc._id, { ...(JSON.parse(doc.rule) as IdentifierTypeRuleInput), updatedAt: doc.updatedAt }]));
    this.rules = compileIdentityRules(this.compose(added));
    this.added = added;
  }

  private compose(added: ReadonlyMap<string, IdentifierTypeRuleInput & { updatedAt: Date }>): unknown {
    const base = this.config.rulesInput;
    if (added.size === 0) return base;
    const stamp = Math.max(...[...added.values()].map((rule) => rule.updatedAt.getTime()));
    const types = Object.fromEntries([...added.entries()].map(([type, { updatedAt: _at, ...rule }]) => [type, rule]));
    // The version names the added types' state, so every decision records the rules it was made under.
    return {
      ...base,
      version: `${base.version}+${added.size}@${new Date(stamp).toISOString()}`.slice(0, 64),
      identifierTypes: { ...base.identifierTypes, ...types },
    };
  }
}
