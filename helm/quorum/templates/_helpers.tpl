{{/*
Chart name, truncated to 63 characters (a DNS label).
*/}}
{{- define "quorum.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name of the release's objects: the release name, with the chart name appended unless the release
name already contains it ("quorum" -> "quorum", "prod" -> "prod-quorum").
*/}}
{{- define "quorum.fullname" -}}
{{- if contains .Chart.Name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "quorum.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of every object of the release.
*/}}
{{- define "quorum.labels" -}}
helm.sh/chart: {{ include "quorum.chart" . }}
{{ include "quorum.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: quorum
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Labels selecting the operator's pods.
*/}}
{{- define "quorum.selectorLabels" -}}
app.kubernetes.io/name: {{ include "quorum.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Name of the operator's ServiceAccount.
*/}}
{{- define "quorum.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "quorum.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Operator image reference: repository:tag, the tag defaulting to the chart's appVersion.
*/}}
{{- define "quorum.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
Whether leader election is on: "true" or "" (empty = false), so it can be used in `if`.
leaderElection.enabled is a tri-state: "auto" (on when replicaCount > 1), true or false.
*/}}
{{- define "quorum.leaderElection" -}}
{{- $enabled := .Values.leaderElection.enabled }}
{{- if kindIs "bool" $enabled }}
{{- if $enabled }}true{{ end }}
{{- else if eq (toString $enabled) "auto" }}
{{- if gt (int .Values.replicaCount) 1 }}true{{ end }}
{{- else }}
{{- fail (printf "leaderElection.enabled must be \"auto\", true or false, not %v" $enabled) }}
{{- end }}
{{- end }}

{{/*
The operator's RBAC rules on namespaced resources, the same cluster-wide (ClusterRole) and per watched namespace
(Role). Least privilege: exactly what the reconcilers declare. files/operator-rules.yaml is generated from their
declarations by hack/update-generated.sh; do not edit it or write rules here.
*/}}
{{- define "quorum.rules" -}}
{{- include "quorum.generatedRules" (list . "files/operator-rules.yaml") }}
{{- end }}

{{/*
The operator's rules on resources without a namespace (reading nodes, for StaticPod clusters, and StorageClasses, for
a grown storage.size), which no Role can
grant: in the ClusterRole of a cluster-wide install, or a ClusterRole of their own when readNodes is set
(files/node-rules.yaml, generated as well).
*/}}
{{- define "quorum.nodeRules" -}}
{{- include "quorum.generatedRules" (list . "files/node-rules.yaml") }}
{{- end }}

{{/*
Leader election's rules: leases in the operator's own namespace only (files/leader-election-rules.yaml, generated
from the operator's code as well).
*/}}
{{- define "quorum.leaderElectionRules" -}}
{{- include "quorum.generatedRules" (list . "files/leader-election-rules.yaml") }}
{{- end }}

{{/*
A generated rules file, (list $ path): its YAML list without the header comment. A missing or empty file fails
the rendering rather than granting nothing.
*/}}
{{- define "quorum.generatedRules" -}}
{{- $root := index . 0 }}
{{- $path := index . 1 }}
{{- $rules := regexReplaceAll "(?m)^#.*\n" ($root.Files.Get $path) "" | trim }}
{{- if not $rules }}
{{- fail (printf "%s is missing or empty: run hack/update-generated.sh" $path) }}
{{- end }}
{{- $rules }}
{{- end }}
