import { repoRoot } from '@o2o/testing';
export const x = repoRoot;
