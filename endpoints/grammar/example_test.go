package grammar_test

import (
	"fmt"

	"github.com/braid-net/braid/endpoints/grammar"
)

func Example() {
	d, err := grammar.Parse(`tcp:8080:interface=\:\:1`)
	if err != nil {
		panic(err)
	}
	r := grammar.NewReader(d)
	port := r.Port(0)
	iface := r.String(-1, "interface", "")
	fmt.Println(d.Kind, port, iface, r.Done())

	_, err = grammar.Parse(`tcp:80\`)
	fmt.Println(err)
	// Output:
	// tcp 8080 ::1 <nil>
	// endpoints: "tcp:80\\" at 6: want a character after '\'
}
