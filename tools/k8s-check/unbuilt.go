package main

import (
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// withoutUnbuilt removes the receivers of the given types (e.g. "postgresql") from a Collector
// config, and their ids from every pipeline; a pipeline left without receivers is removed too.
//
// Why: `otelcol validate` of our build (collector/builder-config.yaml) refuses a config that names
// a component the build lacks, and the postgresql receiver cannot be built here (its module does
// not resolve through the Go module proxy: collector/config.compose.yaml). The Kubernetes pod runs
// the contrib image, which has it. The rest of the config is still validated, and the removed ids
// are reported, so the gap is visible in the output.
func withoutUnbuilt(data string, types map[string]bool) (string, []string, error) {
	if len(types) == 0 {
		return data, nil, nil
	}
	cfg := map[string]any{}
	if err := yaml.Unmarshal([]byte(data), &cfg); err != nil {
		return "", nil, err
	}
	removed := map[string]bool{}
	if receivers, ok := cfg["receivers"].(map[string]any); ok {
		for id := range receivers {
			if types[strings.SplitN(id, "/", 2)[0]] {
				delete(receivers, id)
				removed[id] = true
			}
		}
	}
	// A pipeline of a merged config may name a receiver defined in another file: drop by type.
	svc, _ := cfg["service"].(map[string]any)
	pipelines, _ := svc["pipelines"].(map[string]any)
	for name, p := range pipelines {
		pipeline, ok := p.(map[string]any)
		if !ok {
			continue
		}
		list, _ := pipeline["receivers"].([]any)
		if list == nil {
			continue
		}
		var kept []any
		for _, r := range list {
			id, _ := r.(string)
			if types[strings.SplitN(id, "/", 2)[0]] {
				removed[id] = true
				continue
			}
			kept = append(kept, r)
		}
		if len(kept) == 0 {
			delete(pipelines, name)
			continue
		}
		pipeline["receivers"] = kept
	}
	if len(removed) == 0 {
		return data, nil, nil
	}
	out, err := yaml.Marshal(cfg)
	if err != nil {
		return "", nil, err
	}
	ids := make([]string, 0, len(removed))
	for id := range removed {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return string(out), ids, nil
}
