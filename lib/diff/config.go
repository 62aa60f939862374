package diff

import (
	"errors"
	"fmt"
	"io/fs"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// LoadConfig returns the client configuration that kubectl would use: from
// the kubeconfig file at path if path is not empty, else from the files
// listed in $KUBECONFIG, else from ~/.kube/config, with context as the
// current context if it is not empty. Errors are [*Error] values of class
// [Kubeconfig].
func LoadConfig(path, context string) (*rest.Config, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = path
	overrides := &clientcmd.ConfigOverrides{CurrentContext: context}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides).ClientConfig()
	if err == nil {
		return cfg, nil
	}
	switch {
	case errors.Is(err, fs.ErrNotExist) && path != "":
		err = fmt.Errorf("%s: no such file", path)
	case clientcmd.IsEmptyConfig(err):
		err = errors.New("no kubeconfig found: set --kubeconfig or KUBECONFIG, or create ~/.kube/config")
	}
	return nil, &Error{Class: Kubeconfig, Err: err}
}
