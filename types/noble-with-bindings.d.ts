// @abandonware/noble's own typings declare only the default singleton; `with-bindings` builds a Noble instance over
// a bindings object we supply (the simulator or the adapter host proxy). The instance has the singleton's shape.
declare module "@abandonware/noble/with-bindings" {
  import type * as Noble from "@abandonware/noble";

  function withBindings(bindings: unknown): typeof Noble;
  export = withBindings;
}
