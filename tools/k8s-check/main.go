// k8s-check renders the Kubernetes manifests of deploy/kubernetes the way `kustomize build` does
// (kustomize's own Go API, krusty) and checks every rendered object with real parsers:
//
//   - strict decoding into its Go API type: k8s.io/api (client-go's scheme: every built-in kind) and
//     the OpenTelemetry Operator's API module (OpenTelemetryCollector v1beta1). Unknown or duplicate
//     fields, wrong value types and kinds no scheme knows are errors, as with
//     `kubectl apply --validate=strict` against an API server.
//   - the OpenTelemetryCollector resources, in addition, against the operator's CRD schema
//     (openAPIV3Schema: enums, required fields, minimums), when the CRD files are given (-crds).
//   - the API server's syntax rules that decoding does not apply: object names (DNS-1123/1035),
//     label keys and values, port names, container and env var names, ConfigMap size.
//   - references between objects: selectors match their pod templates, Services select pods that
//     have the target ports, ConfigMaps/Secrets/ServiceAccounts/volumes that pods use exist, probes
//     name declared ports; and the conventions we hold every container to (memory and CPU
//     requests, memory limit, liveness and readiness probes, non-root, read-only root filesystem,
//     no privilege escalation, all capabilities dropped, pinned image tag).
//   - every embedded OpenTelemetry Collector config: each `--config=FILE` of a Collector container
//     is resolved through its volume mounts to the ConfigMap key the pod would read, and an
//     OpenTelemetryCollector's spec.config is taken as is; every `${env:VAR}` without a default
//     must be set by the container (or the resource's spec.env), and the files are passed to
//     `otelcol validate` of our distribution (-otelcol) with exactly that environment. A ConfigMap
//     key that looks like a Collector config but no Collector loads is an error too.
//
// Usage:
//
//	k8s-check [-otelcol BIN] [-crds DIR] [-unbuilt TYPES] [-out FILE] KUSTOMIZATION_DIR...
//
// Exit status 0 when every check passed, 1 when any failed (each failure is printed), 2 on usage
// errors. -out writes the rendered objects of all directories as one JSON array (for the tests).
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	otelv1beta1 "github.com/open-telemetry/opentelemetry-operator/apis/v1beta1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	kjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// object is one rendered resource: its rendered map (what kubectl would send) and its typed form.
type object struct {
	source string // the kustomization directory it came from
	gvk    schema.GroupVersionKind
	ns     string
	name   string
	raw    map[string]any
	typed  runtime.Object
}

func (o *object) id() string {
	if o.ns == "" {
		return fmt.Sprintf("%s %s", o.gvk.Kind, o.name)
	}
	return fmt.Sprintf("%s %s/%s", o.gvk.Kind, o.ns, o.name)
}

type checker struct {
	decoder  runtime.Decoder
	otelcol  string
	crds     map[schema.GroupVersionKind]*crdSchema
	unbuilt  map[string]bool // receiver types our otelcol build lacks (-unbuilt)
	failures []string
	notes    []string
}

func (c *checker) fail(format string, args ...any) {
	c.failures = append(c.failures, fmt.Sprintf(format, args...))
}

func (c *checker) note(format string, args ...any) {
	c.notes = append(c.notes, fmt.Sprintf(format, args...))
}

func main() {
	otelcol := flag.String("otelcol", os.Getenv("OTELCOL_BIN"), "otelcol binary for `otelcol validate` (default $OTELCOL_BIN)")
	crdDir := flag.String("crds", "", "directory of CustomResourceDefinition YAML files to validate custom resources against")
	out := flag.String("out", "", "write the rendered objects as a JSON array to this file")
	unbuilt := flag.String("unbuilt", "", "comma-separated receiver types that -otelcol lacks (e.g. postgresql): removed before `otelcol validate`, and reported")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: k8s-check [-otelcol BIN] [-crds DIR] [-unbuilt TYPES] [-out FILE] KUSTOMIZATION_DIR...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 || *otelcol == "" {
		flag.Usage()
		os.Exit(2)
	}

	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, otelv1beta1.AddToScheme} {
		if err := add(scheme); err != nil {
			fmt.Fprintln(os.Stderr, "k8s-check:", err)
			os.Exit(2)
		}
	}
	c := &checker{
		// Strict: unknown fields and duplicate fields are errors (the API server's
		// fieldValidation=Strict); Yaml: the input is YAML, converted to JSON first.
		decoder: kjson.NewSerializerWithOptions(kjson.DefaultMetaFactory, scheme, scheme,
			kjson.SerializerOptions{Yaml: true, Strict: true}),
		otelcol: *otelcol,
		unbuilt: map[string]bool{},
	}
	for _, t := range strings.Split(*unbuilt, ",") {
		if t = strings.TrimSpace(t); t != "" {
			c.unbuilt[t] = true
		}
	}
	if *crdDir != "" {
		crds, err := loadCRDs(*crdDir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "k8s-check:", err)
			os.Exit(2)
		}
		c.crds = crds
	}

	var all []map[string]any
	for _, dir := range flag.Args() {
		objs, err := c.render(dir)
		if err != nil {
			c.fail("%s: kustomize build: %v", dir, err)
			continue
		}
		c.checkReferences(dir, objs)
		c.checkCollectorConfigs(dir, objs)
		for _, o := range objs {
			all = append(all, o.raw)
		}
	}
	if *out != "" {
		data, err := json.MarshalIndent(all, "", "  ")
		if err == nil {
			err = os.WriteFile(*out, data, 0o644)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "k8s-check:", err)
			os.Exit(2)
		}
	}
	for _, n := range c.notes {
		fmt.Println(n)
	}
	for _, f := range c.failures {
		fmt.Println("FAIL", f)
	}
	fmt.Printf("k8s-check: %d objects in %d kustomizations, %d problems\n", len(all), flag.NArg(), len(c.failures))
	if len(c.failures) > 0 {
		os.Exit(1)
	}
}

// render runs kustomize (krusty, the library behind `kustomize build` and `kubectl kustomize`) on
// dir and strictly decodes every resulting object.
//
// LoadRestrictionsNone: deploy/kubernetes generates ConfigMaps from files that live elsewhere in
// the repository (grafana/provisioning, grafana/dashboards, prometheus/rules), so there is one copy
// of each; the plain CLI equivalent is `kustomize build --load-restrictor LoadRestrictionsNone`
// (deploy/kubernetes/README.md). tests/static/kubernetes.test.ts checks that only those
// directories are reached outside the kustomization root.
func (c *checker) render(dir string) ([]*object, error) {
	opts := krusty.MakeDefaultOptions()
	opts.LoadRestrictions = types.LoadRestrictionsNone
	resMap, err := krusty.MakeKustomizer(opts).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, err
	}
	var objs []*object
	for _, res := range resMap.Resources() {
		y, err := res.AsYAML()
		if err != nil {
			return nil, err
		}
		raw := map[string]any{}
		if err := yaml.Unmarshal(y, &raw); err != nil {
			return nil, err
		}
		o := &object{source: dir, ns: res.GetNamespace(), name: res.GetName(), raw: raw}
		typed, gvk, err := c.decoder.Decode(y, nil, nil)
		if gvk != nil {
			o.gvk = *gvk
		}
		if err != nil {
			// A strict decoding error still fills the object; report it and keep going so one run
			// lists every problem.
			c.fail("%s: %s: %v", dir, o.id(), err)
		}
		o.typed = typed
		if err == nil {
			c.note("decoded   %s: %s (%s)", dir, o.id(), o.gvk.GroupVersion())
		}
		if s, ok := c.crds[o.gvk]; ok {
			for _, e := range s.validate(raw) {
				c.fail("%s: %s: CRD schema: %s", dir, o.id(), e)
			}
		}
		objs = append(objs, o)
	}
	return objs, nil
}

// ---------------------------------------------------------------- Collector configs

// envRef matches ${env:NAME}, ${env:NAME:-default} and ${NAME} (the Collector's expansion syntax);
// a leading extra $ escapes it.
var envRef = regexp.MustCompile(`(\$*)\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}`)

// collectorConfig is one Collector start: the config files in load order and the environment.
type collectorConfig struct {
	where string
	files []namedConfig
	env   map[string]string
}

type namedConfig struct {
	name string
	data string
}

func looksLikeCollectorConfig(data string) bool {
	m := map[string]any{}
	if err := yaml.Unmarshal([]byte(data), &m); err != nil {
		return false
	}
	svc, ok := m["service"].(map[string]any)
	if !ok {
		return false
	}
	_, ok = svc["pipelines"]
	return ok
}

func (c *checker) checkCollectorConfigs(dir string, objs []*object) {
	configMaps := map[string]map[string]string{} // ns/name -> data
	secrets := map[string]map[string]string{}
	for _, o := range objs {
		switch t := o.typed.(type) {
		case *corev1ConfigMap:
			configMaps[o.ns+"/"+o.name] = t.Data
		case *corev1Secret:
			d := map[string]string{}
			for k, v := range t.Data {
				d[k] = string(v)
			}
			for k, v := range t.StringData {
				d[k] = v
			}
			secrets[o.ns+"/"+o.name] = d
		}
	}
	used := map[string]bool{} // "ns/configmap/key" loaded by some Collector

	var starts []collectorConfig
	for _, o := range objs {
		pod, _, ok := podTemplate(o.typed)
		if ok {
			for _, ctr := range pod.Spec.Containers {
				paths := configArgs(append(append([]string{}, ctr.Command...), ctr.Args...))
				if len(paths) == 0 {
					continue
				}
				where := fmt.Sprintf("%s: %s container %s", dir, o.id(), ctr.Name)
				cc := collectorConfig{where: where, env: containerEnv(where, c, o.ns, ctr.Env, ctr.EnvFrom, configMaps, secrets)}
				for _, p := range paths {
					data, key, err := resolveMountedFile(p, o.ns, pod.Spec.Volumes, ctr.VolumeMounts, configMaps)
					if err != nil {
						c.fail("%s: --config=%s: %v", where, p, err)
						continue
					}
					used[key] = true
					cc.files = append(cc.files, namedConfig{name: p, data: data})
				}
				if len(cc.files) == len(paths) {
					starts = append(starts, cc)
				}
			}
		}
		if col, ok := o.typed.(*otelv1beta1.OpenTelemetryCollector); ok {
			where := fmt.Sprintf("%s: %s", dir, o.id())
			spec, _ := o.raw["spec"].(map[string]any)
			cfg, err := yaml.Marshal(spec["config"])
			if err != nil {
				c.fail("%s: spec.config: %v", where, err)
				continue
			}
			env := containerEnv(where, c, o.ns, col.Spec.Env, col.Spec.EnvFrom, configMaps, secrets)
			starts = append(starts, collectorConfig{where: where, files: []namedConfig{{name: "spec.config", data: string(cfg)}}, env: env})
		}
	}

	for key, data := range flattenConfigMaps(configMaps) {
		if looksLikeCollectorConfig(data) && !used[key] {
			c.fail("%s: ConfigMap %s is a Collector config that no Collector container loads (so it is not validated)", dir, key)
		}
	}

	for _, s := range starts {
		c.validateCollector(s)
	}
}

func flattenConfigMaps(cms map[string]map[string]string) map[string]string {
	out := map[string]string{}
	for name, data := range cms {
		for k, v := range data {
			out[name+"/"+k] = v
		}
	}
	return out
}

// configArgs returns the file paths of --config flags (file: URIs or plain paths; env:, yaml:,
// http: sources are not files).
func configArgs(args []string) []string {
	var paths []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		var v string
		switch {
		case strings.HasPrefix(a, "--config="):
			v = strings.TrimPrefix(a, "--config=")
		case a == "--config" && i+1 < len(args):
			i++
			v = args[i]
		default:
			continue
		}
		v = strings.TrimPrefix(v, "file:")
		if strings.HasPrefix(v, "/") {
			paths = append(paths, v)
		}
	}
	return paths
}

func (c *checker) validateCollector(s collectorConfig) {
	// Every ${env:VAR} without a default must be set: the Collector would expand it to "" and
	// start with an empty endpoint or attribute.
	for _, f := range s.files {
		seen := map[string]bool{}
		for _, m := range envRef.FindAllStringSubmatch(f.data, -1) {
			if len(m[1])%2 == 1 || m[3] != "" || seen[m[2]] { // escaped ($${...}), has a default, or reported
				continue
			}
			seen[m[2]] = true
			if _, ok := s.env[m[2]]; !ok {
				c.fail("%s: %s uses ${env:%s} without a default, and it is not set", s.where, f.name, m[2])
			}
		}
	}
	tmp, err := os.MkdirTemp("", "k8s-check-")
	if err != nil {
		c.fail("%s: %v", s.where, err)
		return
	}
	defer os.RemoveAll(tmp)
	args := []string{"validate"}
	var skipped []string
	for i, f := range s.files {
		data, ids, err := withoutUnbuilt(f.data, c.unbuilt)
		if err != nil {
			c.fail("%s: %s: %v", s.where, f.name, err)
			return
		}
		skipped = append(skipped, ids...)
		p := filepath.Join(tmp, fmt.Sprintf("%d-%s", i, filepath.Base(f.name)))
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			c.fail("%s: %v", s.where, err)
			return
		}
		args = append(args, "--config="+p)
	}
	cmd := exec.Command(c.otelcol, args...)
	// Only the container's environment (plus PATH/HOME for the process itself): a variable the
	// pod does not set must not be satisfied by the machine running the check.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + tmp}
	keys := make([]string, 0, len(s.env))
	for k := range s.env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		cmd.Env = append(cmd.Env, k+"="+s.env[k])
	}
	var outBuf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &outBuf, &outBuf
	names := make([]string, len(s.files))
	for i, f := range s.files {
		names[i] = f.name
	}
	if err := cmd.Run(); err != nil {
		c.fail("%s: otelcol validate %s: %v\n%s", s.where, strings.Join(names, " "), err, strings.TrimSpace(outBuf.String()))
		return
	}
	if len(skipped) > 0 {
		sort.Strings(skipped)
		c.note("validated %s: otelcol validate %s (without receivers not in our build: %s)", s.where, strings.Join(names, " "), strings.Join(skipped, " "))
		return
	}
	c.note("validated %s: otelcol validate %s", s.where, strings.Join(names, " "))
}
