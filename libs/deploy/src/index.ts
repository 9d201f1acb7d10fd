export {
  checkPlatformRules,
  describe,
  knownKinds,
  parseManifests,
  validateManifests,
  validateObject,
} from './kubernetes/manifest-validator';
export type { KubeObject, ManifestProblem } from './kubernetes/manifest-validator';
