package main

import (
	"fmt"

	otelv1beta1 "github.com/open-telemetry/opentelemetry-operator/apis/v1beta1"
	"path"
	"regexp"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
)

type (
	corev1ConfigMap = corev1.ConfigMap
	corev1Secret    = corev1.Secret
)

// podTemplate returns the pod template of a workload and its selector (nil for Jobs, which
// generate theirs).
func podTemplate(obj runtime.Object) (*corev1.PodTemplateSpec, *metav1.LabelSelector, bool) {
	switch t := obj.(type) {
	case *appsv1.Deployment:
		return &t.Spec.Template, t.Spec.Selector, true
	case *appsv1.DaemonSet:
		return &t.Spec.Template, t.Spec.Selector, true
	case *appsv1.StatefulSet:
		return &t.Spec.Template, t.Spec.Selector, true
	case *batchv1.Job:
		return &t.Spec.Template, nil, true
	}
	return nil, nil, false
}

// checkReferences checks what the API server does not: that objects which refer to each other
// agree, and the conventions every container of ours follows.
func (c *checker) checkReferences(dir string, objs []*object) {
	exists := map[string]*object{} // "Kind ns/name"
	namespaces := map[string]bool{}
	for _, o := range objs {
		exists[o.id()] = o
		if o.gvk.Kind == "Namespace" {
			namespaces[o.name] = true
		}
	}
	has := func(kind, ns, name string) bool {
		key := fmt.Sprintf("%s %s/%s", kind, ns, name)
		if ns == "" { // cluster-scoped, as object.id() spells it
			key = fmt.Sprintf("%s %s", kind, name)
		}
		_, ok := exists[key]
		return ok
	}
	type podOf struct {
		o   *object
		pod *corev1.PodTemplateSpec
	}
	var pods []podOf

	for _, o := range objs {
		if o.typed == nil {
			continue
		}
		c.checkNames(dir, o)
		if o.ns != "" && !namespaces[o.ns] {
			c.fail("%s: %s: namespace %q is not part of the rendered manifests", dir, o.id(), o.ns)
		}
		pod, selector, ok := podTemplate(o.typed)
		if !ok {
			continue
		}
		pods = append(pods, podOf{o, pod})
		where := fmt.Sprintf("%s: %s", dir, o.id())
		if selector != nil {
			sel, err := metav1.LabelSelectorAsSelector(selector)
			if err != nil || sel.Empty() || !sel.Matches(labels.Set(pod.Labels)) {
				c.fail("%s: spec.selector %v does not match the pod template's labels %v", where, selector, pod.Labels)
			}
		}
		var claims []string
		if sts, ok := o.typed.(*appsv1.StatefulSet); ok {
			for _, t := range sts.Spec.VolumeClaimTemplates {
				claims = append(claims, t.Name)
			}
		}
		c.checkPod(where, o.ns, &pod.Spec, claims, has)
		c.checkSidecarAnnotation(where, o.ns, pod.Annotations, objs)
	}

	for _, o := range objs {
		where := fmt.Sprintf("%s: %s", dir, o.id())
		switch t := o.typed.(type) {
		case *corev1.Service:
			if len(t.Spec.Selector) == 0 {
				c.fail("%s: has no selector", where)
				continue
			}
			var matched []*corev1.PodTemplateSpec
			for _, p := range pods {
				if p.o.ns == o.ns && labels.SelectorFromSet(t.Spec.Selector).Matches(labels.Set(p.pod.Labels)) {
					matched = append(matched, p.pod)
				}
			}
			if len(matched) == 0 {
				c.fail("%s: selector %v matches no pod template", where, t.Spec.Selector)
				continue
			}
			for _, sp := range t.Spec.Ports {
				target := sp.TargetPort
				if target.Type == intstr.Int && target.IntVal == 0 {
					target = intstr.FromInt32(sp.Port)
				}
				for _, pod := range matched {
					if !podHasPort(&pod.Spec, target, sp.Protocol) {
						c.fail("%s: port %s targets %s, which pods %v do not declare", where, sp.Name, target.String(), pod.Labels)
					}
				}
			}
		case *otelv1beta1.OpenTelemetryCollector:
			// The operator builds the container from these fields: hold it to the same conventions
			// (its probes come from the health_check extension, so they are not required here).
			ctr := corev1.Container{Name: "otc-container", Image: t.Spec.Image, Resources: t.Spec.Resources,
				SecurityContext: t.Spec.SecurityContext, Env: t.Spec.Env, VolumeMounts: t.Spec.VolumeMounts}
			if ctr.Image == "" {
				c.fail("%s: spec.image is not set: the operator would pick its own default version", where)
			}
			if t.Spec.Mode == otelv1beta1.ModeSidecar && t.Spec.UpgradeStrategy != otelv1beta1.UpgradeStrategyNone {
				c.fail("%s: spec.upgradeStrategy must be none for a pinned image", where)
			}
			c.checkPod(where, o.ns, &corev1.PodSpec{InitContainers: []corev1.Container{ctr}, Volumes: t.Spec.Volumes,
				SecurityContext: t.Spec.PodSecurityContext}, nil, has)
		case *rbacv1.ClusterRoleBinding:
			if !has("ClusterRole", "", t.RoleRef.Name) {
				c.fail("%s: roleRef ClusterRole %s does not exist", where, t.RoleRef.Name)
			}
			for _, s := range t.Subjects {
				if s.Kind == "ServiceAccount" && !has("ServiceAccount", s.Namespace, s.Name) {
					c.fail("%s: subject ServiceAccount %s/%s does not exist", where, s.Namespace, s.Name)
				}
			}
		case *rbacv1.RoleBinding:
			if !has(t.RoleRef.Kind, map[bool]string{true: "", false: o.ns}[t.RoleRef.Kind == "ClusterRole"], t.RoleRef.Name) {
				c.fail("%s: roleRef %s %s does not exist", where, t.RoleRef.Kind, t.RoleRef.Name)
			}
			for _, s := range t.Subjects {
				if s.Kind == "ServiceAccount" && !has("ServiceAccount", s.Namespace, s.Name) {
					c.fail("%s: subject ServiceAccount %s/%s does not exist", where, s.Namespace, s.Name)
				}
			}
		}
	}
}

func podHasPort(spec *corev1.PodSpec, target intstr.IntOrString, proto corev1.Protocol) bool {
	if proto == "" {
		proto = corev1.ProtocolTCP
	}
	for _, ctr := range spec.Containers {
		for _, p := range ctr.Ports {
			pp := p.Protocol
			if pp == "" {
				pp = corev1.ProtocolTCP
			}
			if pp != proto {
				continue
			}
			if (target.Type == intstr.String && p.Name == target.StrVal) || (target.Type == intstr.Int && p.ContainerPort == target.IntVal) {
				return true
			}
		}
	}
	return false
}

func (c *checker) checkPod(where, ns string, spec *corev1.PodSpec, claims []string, has func(kind, ns, name string) bool) {
	if sa := spec.ServiceAccountName; sa != "" && sa != "default" && !has("ServiceAccount", ns, sa) {
		c.fail("%s: serviceAccountName %s does not exist", where, sa)
	}
	// A missing PriorityClass makes the API server refuse every pod of the workload; the two
	// system-* classes always exist.
	if pc := spec.PriorityClassName; pc != "" && !strings.HasPrefix(pc, "system-") && !has("PriorityClass", "", pc) {
		c.fail("%s: priorityClassName %s does not exist", where, pc)
	}
	volumes := map[string]bool{}
	for _, name := range claims { // a StatefulSet's volumeClaimTemplates
		volumes[name] = true
	}
	for _, v := range spec.Volumes {
		volumes[v.Name] = true
		switch {
		case v.ConfigMap != nil:
			optional := v.ConfigMap.Optional != nil && *v.ConfigMap.Optional
			if !optional && !has("ConfigMap", ns, v.ConfigMap.Name) {
				c.fail("%s: volume %s: ConfigMap %s does not exist", where, v.Name, v.ConfigMap.Name)
			}
		case v.Secret != nil:
			optional := v.Secret.Optional != nil && *v.Secret.Optional
			if !optional && !has("Secret", ns, v.Secret.SecretName) {
				c.fail("%s: volume %s: Secret %s does not exist", where, v.Name, v.Secret.SecretName)
			}
		}
	}
	podSC := spec.SecurityContext
	if podSC == nil {
		podSC = &corev1.PodSecurityContext{}
	}
	check := func(ctr corev1.Container, init bool) {
		cw := fmt.Sprintf("%s container %s", where, ctr.Name)
		if ref := ctr.Image; !strings.Contains(path.Base(ref), ":") || strings.HasSuffix(ref, ":latest") {
			c.fail("%s: image %q is not pinned to a version tag", cw, ref)
		}
		for _, m := range ctr.VolumeMounts {
			if !volumes[m.Name] {
				c.fail("%s: volumeMount %s names no volume", cw, m.Name)
			}
		}
		for _, e := range ctr.Env {
			if e.ValueFrom == nil {
				continue
			}
			if r := e.ValueFrom.ConfigMapKeyRef; r != nil && !(r.Optional != nil && *r.Optional) && !has("ConfigMap", ns, r.Name) {
				c.fail("%s: env %s: ConfigMap %s does not exist", cw, e.Name, r.Name)
			}
			if r := e.ValueFrom.SecretKeyRef; r != nil && !(r.Optional != nil && *r.Optional) && !has("Secret", ns, r.Name) {
				c.fail("%s: env %s: Secret %s does not exist (mark it optional if the app runs without it)", cw, e.Name, r.Name)
			}
		}
		// Resources: a memory request and limit (docs/topology.md's measured table) and a CPU request.
		req, lim := ctr.Resources.Requests, ctr.Resources.Limits
		if q, ok := req[corev1.ResourceMemory]; !ok || q.IsZero() {
			c.fail("%s: no memory request", cw)
		}
		if q, ok := lim[corev1.ResourceMemory]; !ok || q.IsZero() {
			c.fail("%s: no memory limit", cw)
		} else if r, ok := req[corev1.ResourceMemory]; ok && r.Cmp(q) > 0 {
			c.fail("%s: memory request %s exceeds its limit %s", cw, r.String(), q.String())
		}
		if q, ok := req[corev1.ResourceCPU]; !ok || q.Cmp(resource.MustParse("1m")) < 0 {
			c.fail("%s: no CPU request", cw)
		}
		// The same hardening as compose: non-root, read-only root filesystem, no new privileges.
		sc := ctr.SecurityContext
		if sc == nil {
			sc = &corev1.SecurityContext{}
		}
		nonRoot := (sc.RunAsNonRoot != nil && *sc.RunAsNonRoot) || (sc.RunAsNonRoot == nil && podSC.RunAsNonRoot != nil && *podSC.RunAsNonRoot)
		uid := sc.RunAsUser
		if uid == nil {
			uid = podSC.RunAsUser
		}
		if !nonRoot || uid == nil || *uid == 0 {
			c.fail("%s: must run as non-root with an explicit non-zero runAsUser", cw)
		}
		if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
			c.fail("%s: readOnlyRootFilesystem is not true", cw)
		}
		if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			c.fail("%s: allowPrivilegeEscalation is not false", cw)
		}
		if sc.Capabilities == nil || len(sc.Capabilities.Drop) != 1 || sc.Capabilities.Drop[0] != "ALL" {
			c.fail("%s: capabilities do not drop ALL", cw)
		}
		if init {
			return
		}
		for name, p := range map[string]*corev1.Probe{"livenessProbe": ctr.LivenessProbe, "readinessProbe": ctr.ReadinessProbe} {
			if p == nil {
				c.fail("%s: no %s", cw, name)
				continue
			}
			var port *intstr.IntOrString
			switch {
			case p.HTTPGet != nil:
				port = &p.HTTPGet.Port
			case p.TCPSocket != nil:
				port = &p.TCPSocket.Port
			case p.GRPC != nil:
				v := intstr.FromInt32(p.GRPC.Port)
				port = &v
			}
			if port != nil && !podHasPort(&corev1.PodSpec{Containers: []corev1.Container{ctr}}, *port, corev1.ProtocolTCP) {
				c.fail("%s: %s port %s is not a declared container port", cw, name, port.String())
			}
		}
	}
	for _, ctr := range spec.InitContainers {
		check(ctr, true)
	}
	for _, ctr := range spec.Containers {
		check(ctr, false)
	}
}

// containerEnv is the environment a container (or an OpenTelemetryCollector's spec.env) starts
// with, as far as it can be known without a cluster: literal values with $(VAR) references
// expanded, ConfigMap and Secret keys from the rendered objects, and stand-ins for the downward
// API (pod IP, node name, ...).
func containerEnv(where string, c *checker, ns string, env []corev1.EnvVar, from []corev1.EnvFromSource,
	configMaps, secrets map[string]map[string]string) map[string]string {
	// Set by the container runtime in every container: the pod's host name (the pod name).
	out := map[string]string{"HOSTNAME": "pod-0"}
	for _, f := range from {
		var src map[string]string
		if f.ConfigMapRef != nil {
			src = configMaps[ns+"/"+f.ConfigMapRef.Name]
		}
		if f.SecretRef != nil {
			src = secrets[ns+"/"+f.SecretRef.Name]
		}
		for k, v := range src {
			out[f.Prefix+k] = v
		}
	}
	downward := map[string]string{
		"metadata.name": "pod-0", "metadata.namespace": ns, "metadata.uid": "00000000-0000-0000-0000-000000000000",
		"spec.nodeName": "node-0", "spec.serviceAccountName": "default",
		"status.podIP": "10.0.0.10", "status.hostIP": "10.0.1.10", "status.podIPs": "10.0.0.10", "status.hostIPs": "10.0.1.10",
	}
	ref := regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)
	for _, e := range env {
		switch {
		case e.ValueFrom == nil:
			out[e.Name] = ref.ReplaceAllStringFunc(e.Value, func(m string) string {
				if v, ok := out[m[2:len(m)-1]]; ok {
					return v
				}
				return m // Kubernetes leaves unresolvable references as they are
			})
		case e.ValueFrom.FieldRef != nil:
			fp := e.ValueFrom.FieldRef.FieldPath
			if v, ok := downward[fp]; ok {
				out[e.Name] = v
			} else if strings.HasPrefix(fp, "metadata.labels[") || strings.HasPrefix(fp, "metadata.annotations[") {
				out[e.Name] = "x"
			} else {
				c.fail("%s: env %s: fieldRef %q is not a downward API field", where, e.Name, fp)
			}
		case e.ValueFrom.ResourceFieldRef != nil:
			out[e.Name] = "1"
		case e.ValueFrom.ConfigMapKeyRef != nil:
			r := e.ValueFrom.ConfigMapKeyRef
			if v, ok := configMaps[ns+"/"+r.Name][r.Key]; ok {
				out[e.Name] = v
			} else if r.Optional == nil || !*r.Optional {
				c.fail("%s: env %s: ConfigMap %s has no key %s", where, e.Name, r.Name, r.Key)
			}
		case e.ValueFrom.SecretKeyRef != nil:
			r := e.ValueFrom.SecretKeyRef
			if v, ok := secrets[ns+"/"+r.Name][r.Key]; ok {
				out[e.Name] = v
			} else if r.Optional == nil || !*r.Optional {
				c.fail("%s: env %s: Secret %s has no key %s", where, e.Name, r.Name, r.Key)
			}
		}
	}
	return out
}

// resolveMountedFile finds what a container sees at file path p: the ConfigMap key behind the
// volume mount that covers p. It returns the data and "ns/configmap/key".
func resolveMountedFile(p, ns string, volumes []corev1.Volume, mounts []corev1.VolumeMount,
	configMaps map[string]map[string]string) (string, string, error) {
	var best *corev1.VolumeMount
	for i, m := range mounts {
		mp := strings.TrimSuffix(m.MountPath, "/")
		if p == mp || strings.HasPrefix(p, mp+"/") {
			if best == nil || len(mp) > len(strings.TrimSuffix(best.MountPath, "/")) {
				best = &mounts[i]
			}
		}
	}
	if best == nil {
		return "", "", fmt.Errorf("no volume is mounted there")
	}
	var vol *corev1.Volume
	for i := range volumes {
		if volumes[i].Name == best.Name {
			vol = &volumes[i]
		}
	}
	if vol == nil || vol.ConfigMap == nil {
		return "", "", fmt.Errorf("mount %s is not a ConfigMap volume", best.Name)
	}
	rel := strings.TrimPrefix(strings.TrimPrefix(p, strings.TrimSuffix(best.MountPath, "/")), "/")
	if best.SubPath != "" {
		if rel != "" {
			return "", "", fmt.Errorf("subPath mount %s is a file", best.Name)
		}
		rel = best.SubPath
	}
	key := rel
	if len(vol.ConfigMap.Items) > 0 {
		key = ""
		for _, it := range vol.ConfigMap.Items {
			if it.Path == rel {
				key = it.Key
			}
		}
		if key == "" {
			return "", "", fmt.Errorf("ConfigMap volume %s projects no item at %s", vol.Name, rel)
		}
	}
	data, ok := configMaps[ns+"/"+vol.ConfigMap.Name][key]
	if !ok {
		return "", "", fmt.Errorf("ConfigMap %s has no key %s", vol.ConfigMap.Name, key)
	}
	return data, ns + "/" + vol.ConfigMap.Name + "/" + key, nil
}

// checkSidecarAnnotation: a pod that asks the OpenTelemetry Operator for a sidecar names an
// OpenTelemetryCollector in sidecar mode in its namespace ("true": the only one there).
func (c *checker) checkSidecarAnnotation(where, ns string, annotations map[string]string, objs []*object) {
	v, ok := annotations["sidecar.opentelemetry.io/inject"]
	if !ok || v == "false" {
		return
	}
	var sidecars []string
	for _, o := range objs {
		if col, ok := o.typed.(*otelv1beta1.OpenTelemetryCollector); ok && o.ns == ns && col.Spec.Mode == otelv1beta1.ModeSidecar {
			sidecars = append(sidecars, o.name)
		}
	}
	if v == "true" {
		if len(sidecars) != 1 {
			c.fail("%s: sidecar.opentelemetry.io/inject=true needs exactly one sidecar OpenTelemetryCollector in %s, found %v", where, ns, sidecars)
		}
		return
	}
	for _, name := range sidecars {
		if name == v {
			return
		}
	}
	c.fail("%s: sidecar.opentelemetry.io/inject=%s names no sidecar-mode OpenTelemetryCollector in %s (found %v)", where, v, ns, sidecars)
}

// checkNames applies the API server's syntax rules that decoding does not: object names, label
// keys and values, port names and environment variable names.
func (c *checker) checkNames(dir string, o *object) {
	where := fmt.Sprintf("%s: %s", dir, o.id())
	nameErrs := validation.IsDNS1123Subdomain(o.name)
	if o.gvk.Kind == "Service" || o.gvk.Kind == "Namespace" {
		nameErrs = validation.IsDNS1035Label(o.name)
		if o.gvk.Kind == "Namespace" {
			nameErrs = validation.IsDNS1123Label(o.name)
		}
	}
	for _, e := range nameErrs {
		c.fail("%s: metadata.name: %s", where, e)
	}
	checkLabels := func(field string, l map[string]string) {
		for k, v := range l {
			for _, e := range validation.IsQualifiedName(k) {
				c.fail("%s: %s key %q: %s", where, field, k, e)
			}
			for _, e := range validation.IsValidLabelValue(v) {
				c.fail("%s: %s %q value %q: %s", where, field, k, v, e)
			}
		}
	}
	if m, ok := o.raw["metadata"].(map[string]any); ok {
		if l, ok := m["labels"].(map[string]any); ok {
			ls := map[string]string{}
			for k, v := range l {
				ls[k] = fmt.Sprint(v)
			}
			checkLabels("metadata.labels", ls)
		}
	}
	switch t := o.typed.(type) {
	case *corev1.Service:
		for _, p := range t.Spec.Ports {
			if p.Name == "" && len(t.Spec.Ports) > 1 {
				c.fail("%s: a Service with several ports must name each", where)
			}
			if p.Name != "" {
				for _, e := range validation.IsValidPortName(p.Name) {
					c.fail("%s: port name %q: %s", where, p.Name, e)
				}
			}
		}
	case *corev1.ConfigMap:
		size := 0
		for k, v := range t.Data {
			size += len(k) + len(v)
		}
		for k, v := range t.BinaryData {
			size += len(k) + len(v)
		}
		if size > 1<<20 {
			c.fail("%s: %d bytes of data, more than a ConfigMap may hold (1 MiB)", where, size)
		}
	}
	if pod, _, ok := podTemplate(o.typed); ok {
		checkLabels("spec.template.metadata.labels", pod.Labels)
		for _, ctr := range append(append([]corev1.Container{}, pod.Spec.InitContainers...), pod.Spec.Containers...) {
			for _, e := range validation.IsDNS1123Label(ctr.Name) {
				c.fail("%s: container name %q: %s", where, ctr.Name, e)
			}
			for _, p := range ctr.Ports {
				if p.Name == "" {
					continue
				}
				for _, e := range validation.IsValidPortName(p.Name) {
					c.fail("%s: container %s port name %q: %s", where, ctr.Name, p.Name, e)
				}
			}
			for _, env := range ctr.Env {
				for _, e := range validation.IsEnvVarName(env.Name) {
					c.fail("%s: container %s env %q: %s", where, ctr.Name, env.Name, e)
				}
			}
		}
	}
}
