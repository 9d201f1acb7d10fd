// parse-full-name and addresser ship no type declarations; these cover only what we call.
declare module 'parse-full-name' {
  export interface ParsedFullName {
    title: string;
    first: string;
    middle: string;
    last: string;
    nick: string;
    suffix: string;
    error: string[];
  }
  export function parseFullName(
    name: string,
    partToReturn?: 'all',
    fixCase?: -1 | 0 | 1,
    stopOnError?: 0 | 1,
    useLongLists?: 0 | 1,
  ): ParsedFullName;
}

declare module 'addresser' {
  export interface ParsedAddress {
    addressLine1?: string;
    addressLine2?: string;
    placeName?: string;
    stateAbbreviation?: string;
    zipCode?: string;
  }
  /** Parses a one-line US address; throws when it cannot. */
  export function parseAddress(address: string): ParsedAddress;
}
