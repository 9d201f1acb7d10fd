import { BENCH_IDENTITY_USAGE, BenchUsageError, parseBenchIdentityArguments } from './bench-identity.options';

describe('bench:identity options', () => {
  it('prints every option with its default on --help, and runs nothing', () => {
    for (const argv of [['--help'], ['-h'], ['--sets', 'febrl2', '--help']]) {
      const command = parseBenchIdentityArguments(argv);
      expect(command.kind).toBe('help');
      if (command.kind !== 'help') continue;
      for (const option of [
        '--sets',
        '--variants',
        '--online-sets',
        '--no-online',
        '--no-offline',
        '--no-splink',
        '--no-order',
        '--concurrency',
        '--data-dir',
      ])
        expect(command.text).toContain(option);
      expect(command.text).toContain('(default: plain,nid)');
      expect(command.text).toContain('(default: febrl1,febrl2)');
      expect(command.text).toContain('(default: 1)');
    }
  });

  it('reads the defaults and the options given', () => {
    expect(parseBenchIdentityArguments([])).toEqual({
      kind: 'run',
      options: { variants: ['plain', 'nid'], onlineSets: ['febrl1', 'febrl2'], offline: true, splink: true, order: true, concurrency: 1 },
    });
    expect(
      parseBenchIdentityArguments([
        '--sets',
        'febrl2',
        '--online-sets',
        'febrl2',
        '--variants',
        'plain',
        '--no-offline',
        '--no-order',
        '--concurrency',
        '4',
        '--data-dir',
        '/data',
      ]),
    ).toEqual({
      kind: 'run',
      options: {
        sets: ['febrl2'],
        variants: ['plain'],
        onlineSets: ['febrl2'],
        offline: false,
        splink: true,
        order: false,
        concurrency: 4,
        dataDir: '/data',
      },
    });
    expect(parseBenchIdentityArguments(['--no-online', '--online-sets', 'febrl1'])).toMatchObject({ options: { onlineSets: [] } });
  });

  it('refuses an unknown option, naming it, and values it cannot use', () => {
    expect(() => parseBenchIdentityArguments(['--concurency', '4'])).toThrow(BenchUsageError);
    expect(() => parseBenchIdentityArguments(['--concurency', '4'])).toThrow(/--concurency/);
    expect(() => parseBenchIdentityArguments(['febrl2'])).toThrow(BenchUsageError);
    expect(() => parseBenchIdentityArguments(['--variants', 'plain,ssn'])).toThrow(/ssn/);
    expect(() => parseBenchIdentityArguments(['--concurrency', '0'])).toThrow(/--concurrency/);
    expect(() => parseBenchIdentityArguments(['--sets'])).toThrow(BenchUsageError);
    expect(BENCH_IDENTITY_USAGE).toMatch(/^Usage: npm run bench:identity/);
  });
});
