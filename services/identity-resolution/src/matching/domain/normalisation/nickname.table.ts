/**
 * Common English given-name diminutives mapped to one canonical form. Deliberately small and
 * unambiguous: a diminutive that belongs to two formal names ("Alex" -> Alexander or Alexandra,
 * "Chris", "Sam", "Pat") or that is a formal name in its own right today ("Jack", "Liam") is
 * absent, because mapping it would manufacture evidence.
 * The probabilistic matcher treats a canonical-form match as its own comparison level, whose
 * weight EM estimates, so a wrong entry costs accuracy but cannot force a merge alone.
 */
const GROUPS: Readonly<Record<string, readonly string[]>> = {
  william: ['will', 'bill', 'billy', 'willy'],
  robert: ['rob', 'bob', 'bobby', 'robbie'],
  richard: ['rick', 'ricky', 'dick', 'rich', 'richie'],
  james: ['jim', 'jimmy'],
  john: ['johnny', 'jon'],
  michael: ['mike', 'mick', 'mickey', 'mikey'],
  thomas: ['tom', 'tommy'],
  joseph: ['joe', 'joey'],
  charles: ['charlie', 'chuck', 'chas'],
  daniel: ['dan', 'danny'],
  matthew: ['matt', 'matty'],
  anthony: ['tony', 'ant'],
  edward: ['ed', 'eddie', 'ned'],
  benjamin: ['ben', 'benny'],
  nicholas: ['nick'],
  jonathan: ['jono', 'jonny'],
  andrew: ['andy'],
  stephen: ['steve', 'stevie'],
  timothy: ['tim', 'timmy'],
  peter: ['pete'],
  david: ['dave', 'davey'],
  samuel: ['sammy'],
  gregory: ['greg'],
  patrick: ['paddy'],
  lawrence: ['larry', 'laurie'],
  kenneth: ['ken', 'kenny'],
  ronald: ['ron', 'ronnie'],
  donald: ['don', 'donnie'],
  elizabeth: ['liz', 'lizzie', 'beth', 'betty', 'libby'],
  margaret: ['maggie', 'meg', 'peggy', 'marge'],
  katherine: ['kate', 'katie', 'kathy', 'kat'],
  catherine: ['cathy', 'cath'],
  jennifer: ['jen', 'jenny'],
  rebecca: ['becky', 'bec'],
  susan: ['sue', 'susie'],
  deborah: ['deb', 'debbie'],
  victoria: ['vicky', 'tori'],
  patricia: ['trish', 'patty', 'tricia'],
  jessica: ['jess', 'jessie'],
  abigail: ['abby'],
  kimberly: ['kim'],
  christine: ['chrissy'],
  pamela: ['pam'],
  barbara: ['barb', 'babs'],
  dorothy: ['dot', 'dottie'],
  emily: ['em', 'emmy'],
  isabella: ['bella', 'izzy'],
  olivia: ['liv', 'livvy'],
  stephanie: ['steph'],
  jacqueline: ['jackie'],
  lachlan: ['lachie', 'lachy'],
  oliver: ['ollie', 'olly'],
  charlotte: ['lottie'],
  michelle: ['shelley', 'shell'],
  amanda: ['mandy'],
  nicole: ['nikki'],
  rajesh: ['raj'],
};

const CANONICAL: ReadonlyMap<string, string> = (() => {
  const map = new Map<string, string>();
  const ambiguous = new Set<string>();
  for (const [formal, diminutives] of Object.entries(GROUPS)) {
    for (const diminutive of diminutives) {
      if (map.has(diminutive)) ambiguous.add(diminutive);
      map.set(diminutive, formal);
    }
  }
  // A diminutive listed under two formal names is ambiguous by definition: leave it unmapped.
  for (const diminutive of ambiguous) map.delete(diminutive);
  return map;
})();

/**
 * Maps an already-normalised given name (lower-case, ASCII-folded) to its canonical form. Every
 * value of the table is absent from its keys, so applying it twice changes nothing.
 */
export function canonicalGivenName(normalisedName: string): string {
  const tokens = normalisedName.split(' ');
  const first = tokens[0] ?? '';
  const canonical = CANONICAL.get(first);
  if (canonical === undefined) return normalisedName;
  return [canonical, ...tokens.slice(1)].join(' ');
}

/** Exposed for tests: the table must stay closed (no canonical form is itself a diminutive). */
export function nicknameTableEntries(): ReadonlyArray<readonly [string, string]> {
  return [...CANONICAL.entries()];
}
