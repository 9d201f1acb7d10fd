import { deriveChannelPreference } from './channel-preference';
import { evidenceOf } from './evidence';
import type { ChannelSignal } from './needs-profile';
import { defaultProfilingConfig } from './profiling-config';
import { asked, day, track } from './testing/resolved-event.factory';

const config = defaultProfilingConfig.channelPreference;
const round3 = (x: number) => Math.round(x * 1000) / 1000;
const use = (channel: string, at: string, id: string): ChannelSignal => ({ id, at, channel });

describe('channel preference', () => {
  it('says nothing below the minimum number of interactions', () => {
    expect(deriveChannelPreference([use('web', day(0), 'a'), use('web', day(0), 'b')], day(0), config)).toEqual([]);
  });

  it('names the most used channel with confidence from its share and the amount of evidence', () => {
    const signals = [use('store', day(0), 'a'), use('store', day(0), 'b'), use('store', day(0), 'c'), use('app', day(0), 'd')];
    const [fact] = deriveChannelPreference(signals, day(0), config);
    // share 3/4; evidence 4 against confidenceHalfWeight 3.
    expect(fact).toMatchObject({ key: 'channel.preferred', value: 'store', kind: 'inferred', confidence: round3(0.75 * (4 / 7)) });
  });

  it('lets recent use outweigh old use', () => {
    // Three web visits two half-lives (120 days) ago weigh 0.75 together; two app visits today weigh 2.
    const signals = [
      use('web', day(0), 'a'),
      use('web', day(0), 'b'),
      use('web', day(0), 'c'),
      use('app', day(120), 'd'),
      use('app', day(120), 'e'),
    ];
    const [fact] = deriveChannelPreference(signals, day(120), config);
    expect(fact?.value).toBe('app');
  });

  it('has no preference when no channel leads clearly', () => {
    const signals = [use('web', day(0), 'a'), use('app', day(0), 'b'), use('store', day(0), 'c')];
    expect(deriveChannelPreference(signals, day(0), config)).toEqual([]);
  });

  it('records usage only for things the customer did, on customer channels', () => {
    expect(evidenceOf(track('Product Viewed', {}, { channel: 'app' }), defaultProfilingConfig).channels).toHaveLength(1);
    expect(evidenceOf(asked('q', { channel: 'call-centre' }), defaultProfilingConfig).channels).toHaveLength(0);
    expect(evidenceOf(track('Product Viewed', {}, { channel: 'kafka' }), defaultProfilingConfig).channels).toHaveLength(0);
  });
});
