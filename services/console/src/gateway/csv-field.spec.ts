import { csvField } from './platform.controller';

describe('CSV export fields', () => {
  it('quotes fields with separators and defuses spreadsheet formulas', () => {
    expect(csvField('cus_1')).toBe('cus_1');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
  });
});
