package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/kube-openapi/pkg/validation/spec"
	"k8s.io/kube-openapi/pkg/validation/strfmt"
	"k8s.io/kube-openapi/pkg/validation/validate"
	"sigs.k8s.io/yaml"
)

// crdSchema is the openAPIV3Schema of one served version of a CustomResourceDefinition.
type crdSchema struct {
	validator *validate.SchemaValidator
}

// loadCRDs reads every CustomResourceDefinition in dir (the operator module's
// config/crd/bases, copied next to the binary by scripts/build-tools.sh).
func loadCRDs(dir string) (map[schema.GroupVersionKind]*crdSchema, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no CRD files in %s", dir)
	}
	out := map[schema.GroupVersionKind]*crdSchema{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var crd apiextensionsv1.CustomResourceDefinition
		if err := yaml.UnmarshalStrict(data, &crd); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for _, v := range crd.Spec.Versions {
			if v.Schema == nil || v.Schema.OpenAPIV3Schema == nil || !v.Served {
				continue
			}
			raw, err := json.Marshal(v.Schema.OpenAPIV3Schema)
			if err != nil {
				return nil, err
			}
			s := new(spec.Schema)
			if err := json.Unmarshal(raw, s); err != nil {
				return nil, fmt.Errorf("%s %s: %w", f, v.Name, err)
			}
			gvk := schema.GroupVersionKind{Group: crd.Spec.Group, Version: v.Name, Kind: crd.Spec.Names.Kind}
			out[gvk] = &crdSchema{validator: validate.NewSchemaValidator(s, nil, "", strfmt.Default)}
		}
	}
	return out, nil
}

// validate returns the schema violations of obj (the API server's OpenAPI validation of a custom
// resource: types, enums, required fields, minimums, patterns).
func (s *crdSchema) validate(obj map[string]any) []string {
	// Round-trip through JSON so numbers are what the API server sees (int64/float64).
	raw, err := json.Marshal(obj)
	if err != nil {
		return []string{err.Error()}
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return []string{err.Error()}
	}
	res := s.validator.Validate(v)
	var out []string
	for _, e := range res.Errors {
		out = append(out, strings.TrimSpace(e.Error()))
	}
	return out
}
