import { stringify } from 'yaml';
import { KubeObject, validateManifests } from './manifest-validator';

const labels = { 'app.kubernetes.io/name': 'value-scoring', 'app.kubernetes.io/instance': 't' };

function deployment(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 't-value-scoring', labels },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: 'kubernetes.io/hostname',
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: { matchLabels: labels },
            },
          ],
          containers: [
            {
              name: 'value-scoring',
              image: 'o2o/value-scoring:1',
              ports: [
                { name: 'http', containerPort: 3002 },
                { name: 'management', containerPort: 3102 },
              ],
              env: [
                { name: 'KAFKA_GROUP_ID', value: 'value-scoring' },
                { name: 'KAFKA_TOPIC_PREFIX', value: 'prod.' },
                { name: 'KAFKA_TOPIC_PARTITIONS', value: '12' },
              ],
              readinessProbe: { httpGet: { path: '/health/ready', port: 'management' } },
              livenessProbe: { httpGet: { path: '/health/live', port: 'management' } },
              resources: { requests: { cpu: '600m', memory: '512Mi' } },
            },
          ],
        },
      },
    },
  };
}

function pdb(): KubeObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 't-value-scoring' },
    spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
  };
}

function scaledObject(): KubeObject {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: 't-value-scoring' },
    spec: {
      scaleTargetRef: { name: 't-value-scoring' },
      minReplicaCount: 3,
      maxReplicaCount: 6,
      triggers: [
        {
          type: 'kafka',
          metadata: {
            bootstrapServers: 'kafka:9092',
            consumerGroup: 'prod.value-scoring',
            topic: 'prod.identity.events.v1',
            lagThreshold: '800',
          },
        },
      ],
    },
  };
}

function yaml(objects: unknown[]): string {
  return objects.map((o) => stringify(o)).join('---\n');
}

/** The set above with one object replaced by what `change` makes of a copy of it. */
function withChange(index: number, change: (o: KubeObject) => void): string {
  const objects = [deployment(), pdb(), scaledObject()];
  const target = objects[index];
  if (!target) throw new Error(`no object ${index}`);
  change(target);
  return yaml(objects);
}

function spec(o: KubeObject): Record<string, unknown> {
  return o.spec as Record<string, unknown>;
}

function container(o: KubeObject): Record<string, unknown> {
  const template = spec(o)['template'] as { spec: { containers: Array<Record<string, unknown>> } };
  const first = template.spec.containers[0];
  if (!first) throw new Error('no container');
  return first;
}

describe('validateManifests', () => {
  it('accepts a consistent set: Deployment, PodDisruptionBudget and KEDA ScaledObject', async () => {
    await expect(validateManifests(yaml([deployment(), pdb(), scaledObject()]))).resolves.toEqual([]);
  });

  it('refuses a Deployment whose replica count is not an integer (Kubernetes schema)', async () => {
    const problems = await validateManifests(withChange(0, (d) => (spec(d)['replicas'] = 'two')));
    expect(problems).toEqual([
      expect.objectContaining({ object: 'Deployment/t-value-scoring', message: expect.stringContaining('/spec/replicas must be integer') }),
    ]);
  });

  it('refuses a ScaledObject whose lag threshold is a number, not a string (KEDA schema)', async () => {
    const problems = await validateManifests(
      withChange(2, (s) => {
        const trigger = (spec(s)['triggers'] as Array<{ metadata: Record<string, unknown> }>)[0];
        if (trigger) trigger.metadata['lagThreshold'] = 800;
      }),
    );
    expect(problems).toEqual([
      expect.objectContaining({
        object: 'ScaledObject/t-value-scoring',
        message: expect.stringContaining('/spec/triggers/0/metadata/lagThreshold must be string'),
      }),
    ]);
  });

  it('refuses a ScaledObject without its scale target (KEDA schema)', async () => {
    const problems = await validateManifests(withChange(2, (s) => delete spec(s)['scaleTargetRef']));
    expect(problems.map((p) => p.message).join('\n')).toContain('scaleTargetRef');
    expect(problems[0]?.object).toBe('ScaledObject/t-value-scoring');
  });

  it('refuses a misspelt probe that the schema lets through (no liveness probe)', async () => {
    const problems = await validateManifests(
      withChange(0, (d) => {
        const c = container(d);
        c['livenesProbe'] = c['livenessProbe'];
        delete c['livenessProbe'];
      }),
    );
    expect(problems).toEqual([
      { object: 'Deployment/t-value-scoring', message: 'container value-scoring has no livenessProbe (httpGet /health/live)' },
    ]);
  });

  it('refuses a probe on a path the services do not answer, or on an undeclared port', async () => {
    const problems = await validateManifests(
      withChange(0, (d) => (container(d)['readinessProbe'] = { httpGet: { path: '/healthz', port: 9999 } })),
    );
    expect(problems.map((p) => p.message)).toEqual([
      'container value-scoring readinessProbe asks /healthz, the services answer /health/ready',
      'container value-scoring readinessProbe port 9999 is not a port the container declares',
    ]);
  });

  it('refuses a Deployment without a PodDisruptionBudget or topology spread, and one without resource requests', async () => {
    const problems = await validateManifests(
      yaml([
        (() => {
          const d = deployment();
          delete (spec(d)['template'] as { spec: Record<string, unknown> }).spec['topologySpreadConstraints'];
          delete container(d)['resources'];
          return d;
        })(),
      ]),
    );
    expect(problems.map((p) => p.message).sort()).toEqual([
      'container value-scoring does not request both cpu and memory',
      'no PodDisruptionBudget selects its pods',
      'no topologySpreadConstraints',
    ]);
  });

  it('refuses a ScaledObject that scales beyond the partitions or watches another consumer group', async () => {
    const problems = await validateManifests(
      withChange(2, (s) => {
        spec(s)['maxReplicaCount'] = 13;
        const trigger = (spec(s)['triggers'] as Array<{ metadata: Record<string, unknown> }>)[0];
        if (trigger) trigger.metadata['consumerGroup'] = 'value-scoring';
      }),
    );
    expect(problems.map((p) => p.message)).toEqual([
      'kafka trigger on prod.identity.events.v1 watches group value-scoring, the Deployment consumes as prod.value-scoring',
      'maxReplicaCount 13 exceeds the 12 partitions of its topics',
    ]);
  });

  it('refuses a scaler whose target is not in the set, and a Deployment scaled twice', async () => {
    const hpa = (target: string): KubeObject => ({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: `hpa-${target}` },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target }, minReplicas: 2, maxReplicas: 4 },
    });
    const problems = await validateManifests(yaml([deployment(), pdb(), scaledObject(), hpa('t-value-scoring'), hpa('t-missing')]));
    expect(problems.map((p) => `${p.object}: ${p.message}`)).toEqual([
      'HorizontalPodAutoscaler/hpa-t-value-scoring: Deployment/t-value-scoring is scaled by ScaledObject/t-value-scoring too',
      'HorizontalPodAutoscaler/hpa-t-missing: scales Deployment/t-missing, which is not a Deployment of the chart',
    ]);
  });

  it('refuses kinds it has no schema for, and documents that are not YAML mappings', async () => {
    const problems = await validateManifests(
      `${yaml([{ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'x' } }])}---\n- a list\n---\nkind: [unclosed\n`,
    );
    expect(problems.map((p) => p.object)).toEqual(['document 2', 'document 3', 'CronJob/x']);
    expect(problems[2]?.message).toContain('no schema known for batch/v1 CronJob');
  });
});
