import { parseAllDocuments } from 'yaml';

/** One thing wrong with a rendered manifest, named by the object it was found in. */
export interface ManifestProblem {
  /** `Kind/name` of the object, or `document N` when it has none. */
  object: string;
  message: string;
}

/** A parsed Kubernetes object: only what the checks read is typed. */
export interface KubeObject {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown; labels?: Record<string, string> } & Record<string, unknown>;
  spec?: unknown;
  [key: string]: unknown;
}

/** A kubernetes-models class; each types its own data, which the validator checks at run time instead. */
type ModelClass = new (data: never) => { validate(): void };

/**
 * The schemas the chart may use, by `apiVersion/kind`: Kubernetes' own (kubernetes-models) and
 * KEDA's (@kubernetes-models/keda). Both packages are ES modules only, hence the dynamic imports.
 * An object of any other kind is a problem: nothing leaves the chart unchecked.
 */
const MODELS: Readonly<Record<string, () => Promise<ModelClass>>> = {
  'v1/ConfigMap': async () => (await import('kubernetes-models/v1/ConfigMap')).ConfigMap,
  'v1/Secret': async () => (await import('kubernetes-models/v1/Secret')).Secret,
  'v1/Service': async () => (await import('kubernetes-models/v1/Service')).Service,
  'v1/ServiceAccount': async () => (await import('kubernetes-models/v1/ServiceAccount')).ServiceAccount,
  'apps/v1/Deployment': async () => (await import('kubernetes-models/apps/v1/Deployment')).Deployment,
  'policy/v1/PodDisruptionBudget': async () => (await import('kubernetes-models/policy/v1/PodDisruptionBudget')).PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': async () =>
    (await import('kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler')).HorizontalPodAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': async () => (await import('kubernetes-models/networking.k8s.io/v1/NetworkPolicy')).NetworkPolicy,
  'keda.sh/v1alpha1/ScaledObject': async () => (await import('@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject')).ScaledObject,
  'keda.sh/v1alpha1/TriggerAuthentication': async () =>
    (await import('@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication')).TriggerAuthentication,
};

/** The `apiVersion/kind` pairs validateManifests knows a schema for. */
export const knownKinds: readonly string[] = Object.keys(MODELS);

/** Parses a multi-document YAML stream (helm template's output); empty documents are skipped. */
export function parseManifests(text: string): { objects: KubeObject[]; problems: ManifestProblem[] } {
  const objects: KubeObject[] = [];
  const problems: ManifestProblem[] = [];
  parseAllDocuments(text).forEach((doc, index) => {
    if (doc.errors.length > 0) {
      problems.push({ object: `document ${index + 1}`, message: `not valid YAML: ${doc.errors.map((e) => e.message).join('; ')}` });
      return;
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    if (typeof value !== 'object' || Array.isArray(value)) {
      problems.push({ object: `document ${index + 1}`, message: 'not a Kubernetes object (expected a mapping)' });
      return;
    }
    objects.push(value as KubeObject);
  });
  return { objects, problems };
}

/**
 * Validates every object against its schema (Kubernetes or KEDA), then the rules the platform
 * relies on across objects (checkPlatformRules). Returns every problem found, none when all is well.
 */
export async function validateManifests(text: string): Promise<ManifestProblem[]> {
  const { objects, problems } = parseManifests(text);
  for (const object of objects) problems.push(...(await validateObject(object)));
  problems.push(...checkPlatformRules(objects));
  return problems;
}

/** Schema validation of one object. */
export async function validateObject(object: KubeObject): Promise<ManifestProblem[]> {
  const name = describe(object);
  if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') {
    return [{ object: name, message: 'apiVersion and kind must be strings' }];
  }
  const load = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!load)
    return [{ object: name, message: `no schema known for ${object.apiVersion} ${object.kind} (known: ${knownKinds.join(', ')})` }];
  const Model = await load();
  try {
    new Model(object as never).validate();
    return [];
  } catch (error) {
    return [{ object: name, message: schemaMessage(error) }];
  }
}

/** ajv's errors as kubernetes-models reports them: "data/spec/replicas must be integer". */
function schemaMessage(error: unknown): string {
  if (error && typeof error === 'object' && 'errors' in error && Array.isArray(error.errors)) {
    const lines = (error.errors as Array<{ instancePath?: string; message?: string; params?: unknown }>).map(
      (e) =>
        `${e.instancePath === undefined || e.instancePath === '' ? '(root)' : e.instancePath} ${e.message ?? 'invalid'}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`,
    );
    if (lines.length > 0) return `schema: ${lines.join('; ')}`;
  }
  return `schema: ${error instanceof Error ? error.message : String(error)}`;
}

export function describe(object: KubeObject): string {
  const kind = typeof object.kind === 'string' ? object.kind : '?';
  const name = typeof object.metadata?.name === 'string' ? object.metadata.name : '?';
  return `${kind}/${name}`;
}

// --- platform rules -------------------------------------------------------------------------

interface Container {
  name?: string;
  ports?: Array<{ name?: string; containerPort?: number }>;
  readinessProbe?: { httpGet?: { path?: string; port?: number | string } };
  livenessProbe?: { httpGet?: { path?: string; port?: number | string } };
  resources?: { requests?: { cpu?: unknown; memory?: unknown } };
  env?: Array<{ name?: string; value?: string }>;
}

interface PodTemplate {
  metadata?: { labels?: Record<string, string> };
  spec?: { containers?: Container[]; topologySpreadConstraints?: unknown[] };
}

interface ScaleTarget {
  scaleTargetRef?: { name?: string; kind?: string };
}

function deploymentTemplate(d: KubeObject): PodTemplate {
  return ((d.spec as { template?: PodTemplate } | undefined)?.template ?? {}) as PodTemplate;
}

function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

function envOf(container: Container, variable: string): string | undefined {
  return container.env?.find((e) => e.name === variable)?.value;
}

/**
 * What the platform needs of its objects beyond their schemas (which accept unknown fields, so
 * a misspelt `livenesProbe` passes them):
 * - every container probes the management listener: readiness on /health/ready, liveness on
 *   /health/live, at a port the container declares; and requests CPU and memory;
 * - every Deployment spreads its pods (topologySpreadConstraints) and has a PodDisruptionBudget;
 * - every HPA and ScaledObject scales a Deployment of the set, and no Deployment has two;
 * - a ScaledObject's Kafka triggers name the consumer group the Deployment runs
 *   (KAFKA_TOPIC_PREFIX + KAFKA_GROUP_ID), and it never scales beyond KAFKA_TOPIC_PARTITIONS.
 */
export function checkPlatformRules(objects: readonly KubeObject[]): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  const deployments = objects.filter((o) => o.kind === 'Deployment');
  const byName = new Map(deployments.map((d) => [String(d.metadata?.name), d]));
  const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget');
  for (const d of deployments) {
    const object = describe(d);
    const template = deploymentTemplate(d);
    const containers = template.spec?.containers ?? [];
    for (const c of containers) {
      const ports = new Set<string | number>(
        (c.ports ?? []).flatMap((p) => [p.name, p.containerPort].filter((x): x is string | number => x !== undefined)),
      );
      for (const [probe, path] of [
        ['readinessProbe', '/health/ready'],
        ['livenessProbe', '/health/live'],
      ] as const) {
        const get = c[probe]?.httpGet;
        if (!get) problems.push({ object, message: `container ${c.name ?? '?'} has no ${probe} (httpGet ${path})` });
        else {
          if (get.path !== path)
            problems.push({
              object,
              message: `container ${c.name ?? '?'} ${probe} asks ${get.path ?? '(no path)'}, the services answer ${path}`,
            });
          if (get.port === undefined || !ports.has(get.port))
            problems.push({
              object,
              message: `container ${c.name ?? '?'} ${probe} port ${String(get.port)} is not a port the container declares`,
            });
        }
      }
      if (c.resources?.requests?.cpu === undefined || c.resources.requests.memory === undefined) {
        problems.push({ object, message: `container ${c.name ?? '?'} does not request both cpu and memory` });
      }
    }
    if ((template.spec?.topologySpreadConstraints ?? []).length === 0) problems.push({ object, message: 'no topologySpreadConstraints' });
    const labels = template.metadata?.labels;
    if (
      !pdbs.some((p) =>
        selects((p.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector?.matchLabels, labels),
      )
    ) {
      problems.push({ object, message: 'no PodDisruptionBudget selects its pods' });
    }
  }
  const scaled = new Map<string, string>();
  for (const scaler of objects.filter((o) => o.kind === 'HorizontalPodAutoscaler' || o.kind === 'ScaledObject')) {
    const object = describe(scaler);
    const target = (scaler.spec as ScaleTarget | undefined)?.scaleTargetRef;
    const deployment = target?.name === undefined ? undefined : byName.get(target.name);
    if (!deployment || (target?.kind !== undefined && target.kind !== 'Deployment')) {
      problems.push({
        object,
        message: `scales ${target?.kind ?? 'Deployment'}/${target?.name ?? '?'}, which is not a Deployment of the chart`,
      });
      continue;
    }
    const before = scaled.get(String(target?.name));
    if (before) problems.push({ object, message: `Deployment/${String(target?.name)} is scaled by ${before} too` });
    scaled.set(String(target?.name), object);
    if (scaler.kind === 'ScaledObject') problems.push(...checkKafkaTriggers(scaler, deployment));
  }
  return problems;
}

function checkKafkaTriggers(scaledObject: KubeObject, deployment: KubeObject): ManifestProblem[] {
  const object = describe(scaledObject);
  const spec = (scaledObject.spec ?? {}) as {
    maxReplicaCount?: number;
    triggers?: Array<{ type?: string; metadata?: Record<string, string> }>;
  };
  const kafka = (spec.triggers ?? []).filter((t) => t.type === 'kafka');
  if (kafka.length === 0) return [{ object, message: 'has no kafka trigger (consumer services scale on their consumer-group lag)' }];
  const container = deploymentTemplate(deployment).spec?.containers?.[0];
  if (!container) return [{ object, message: `Deployment ${describe(deployment)} has no container` }];
  const group = `${envOf(container, 'KAFKA_TOPIC_PREFIX') ?? ''}${envOf(container, 'KAFKA_GROUP_ID') ?? ''}`;
  const partitions = Number(envOf(container, 'KAFKA_TOPIC_PARTITIONS'));
  const problems: ManifestProblem[] = [];
  for (const t of kafka) {
    if (t.metadata?.['consumerGroup'] !== group) {
      problems.push({
        object,
        message: `kafka trigger on ${t.metadata?.['topic'] ?? '?'} watches group ${t.metadata?.['consumerGroup'] ?? '?'}, the Deployment consumes as ${group || '(no KAFKA_GROUP_ID)'}`,
      });
    }
  }
  if (!Number.isInteger(partitions)) problems.push({ object, message: `${describe(deployment)} does not set KAFKA_TOPIC_PARTITIONS` });
  else if ((spec.maxReplicaCount ?? 100) > partitions) {
    problems.push({
      object,
      message: `maxReplicaCount ${spec.maxReplicaCount ?? '100 (KEDA default)'} exceeds the ${partitions} partitions of its topics`,
    });
  }
  return problems;
}
