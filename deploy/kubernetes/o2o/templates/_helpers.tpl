{{/* Name of a service's objects: <release>-<service>, cut to 63 characters. */}}
{{- define "o2o.fullname" -}}
{{- printf "%s-%s" .root.Release.Name .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels every object of a service carries. */}}
{{- define "o2o.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: o2o
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
{{ include "o2o.selectorLabels" . }}
{{- end -}}

{{/* The labels a service's pods are selected by. */}}
{{- define "o2o.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{/* The Secret a service reads its credentials from. */}}
{{- define "o2o.secretName" -}}
{{- .svc.existingSecret | default .root.Values.secrets.existingSecret -}}
{{- end -}}

{{/* Consumer group and topic names as the services use them: KAFKA_TOPIC_PREFIX prepended (libs/kafka). */}}
{{- define "o2o.prefixed" -}}
{{- printf "%s%s" .root.Values.config.kafkaTopicPrefix .value -}}
{{- end -}}

{{/* KEDA's Kafka scaler names SASL mechanisms with underscores. */}}
{{- define "o2o.kedaSasl" -}}
{{- $m := .Values.config.kafkaSaslMechanism -}}
{{- if eq $m "" -}}none{{- else if eq $m "plain" -}}plaintext{{- else -}}{{ $m | replace "-" "_" }}{{- end -}}
{{- end -}}

{{/*
Checks made before anything renders: a lag-scaled service never gets more replicas than a
topic has partitions (they would sit idle), and settings the services refuse at boot are
refused here already.
*/}}
{{- define "o2o.checks" -}}
{{- $partitions := int .Values.kafka.topicPartitions -}}
{{- if or (lt $partitions 1) (gt $partitions 1000) -}}
{{- fail (printf "kafka.topicPartitions must be between 1 and 1000 (KAFKA_TOPIC_PARTITIONS), got %d" $partitions) -}}
{{- end -}}
{{- range $name, $svc := .Values.services -}}
{{- if $svc.enabled -}}
{{- $a := $svc.autoscaling -}}
{{- if not (has $a.kind (list "hpa" "keda" "none")) -}}
{{- fail (printf "services.%s.autoscaling.kind must be hpa, keda or none, got %v" $name $a.kind) -}}
{{- end -}}
{{- if lt (int $a.minReplicas) 1 -}}
{{- fail (printf "services.%s.autoscaling.minReplicas must be at least 1" $name) -}}
{{- end -}}
{{- if lt (int $a.maxReplicas) (int $a.minReplicas) -}}
{{- fail (printf "services.%s.autoscaling.maxReplicas (%d) is below minReplicas (%d)" $name (int $a.maxReplicas) (int $a.minReplicas)) -}}
{{- end -}}
{{- if and (eq $a.kind "keda") (gt (int $a.maxReplicas) $partitions) -}}
{{- fail (printf "services.%s.autoscaling.maxReplicas (%d) exceeds kafka.topicPartitions (%d): replicas beyond the partition count consume nothing" $name (int $a.maxReplicas) $partitions) -}}
{{- end -}}
{{- if and (eq $a.kind "keda") (empty $a.topics) -}}
{{- fail (printf "services.%s.autoscaling.topics must name the topics whose lag scales it" $name) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if not (has .Values.config.kafkaSaslMechanism (list "" "scram-sha-256" "scram-sha-512" "plain")) -}}
{{- fail (printf "config.kafkaSaslMechanism must be scram-sha-256, scram-sha-512, plain or empty, got %s" .Values.config.kafkaSaslMechanism) -}}
{{- end -}}
{{- end -}}
