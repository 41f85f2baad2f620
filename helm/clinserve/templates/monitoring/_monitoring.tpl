{{/*
Helpers of the monitoring templates (PodMonitor, ServiceMonitor, PrometheusRule, dashboards).
The rules and dashboards live once under files/monitoring/ and are embedded with .Files.Get.
*/}}

{{/* Labels of every monitoring resource: the chart's labels plus monitoring.labels (e.g. the
`release:` label a kube-prometheus-stack Prometheus selects on). */}}
{{- define "clinserve.monitoring.labels" -}}
{{ include "clinserve.labels" . }}
app.kubernetes.io/component: monitoring
{{- with .Values.monitoring.labels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Name `<fullname>-<suffix>` kept within 63 characters. */}}
{{- define "clinserve.monitoring.name" -}}
{{- $suffix := .suffix -}}
{{- $base := include "clinserve.fullname" .context | trunc (int (sub 62 (len $suffix))) | trimSuffix "-" -}}
{{- printf "%s-%s" $base $suffix -}}
{{- end -}}

{{/* A scrape endpoint after its `port: metrics` line (PodMonitor podMetricsEndpoints and
ServiceMonitor endpoints items). */}}
{{- define "clinserve.monitoring.endpoint" -}}
path: /metrics
scheme: http
interval: {{ .Values.monitoring.interval }}
scrapeTimeout: {{ .Values.monitoring.scrapeTimeout }}
{{- with .Values.monitoring.metricRelabelings }}
metricRelabelings:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Pod labels copied onto every scraped series: ray.io/cluster becomes `ray_io_cluster`, the
`cluster` variable of the dashboards and a grouping label of every alert. */}}
{{- define "clinserve.monitoring.podTargetLabels" -}}
podTargetLabels:
  - ray.io/cluster
  - ray.io/node-type
  - ray.io/group
{{- end -}}
