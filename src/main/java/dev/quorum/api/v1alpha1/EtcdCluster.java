package dev.quorum.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** An etcd cluster run by Quorum: one pod and one volume claim per member, owned by the operator. */
@Group(EtcdCluster.GROUP)
@Version(EtcdCluster.VERSION)
@Plural("etcdclusters")
@ShortNames("ec")
@AdditionalPrinterColumn(name = "SIZE", jsonPath = ".spec.size", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "READY", jsonPath = ".status.readyMembers", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "VERSION", jsonPath = ".status.version", type = Type.STRING)
@AdditionalPrinterColumn(name = "LEADER", jsonPath = ".status.leader", type = Type.STRING)
@AdditionalPrinterColumn(name = "AVAILABLE", jsonPath = ".status.conditions[?(@.type==\"Available\")].status", type = Type.STRING)
// kubectl drops its own AGE column once a CRD declares columns, so it is declared here
@AdditionalPrinterColumn(name = "AGE", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
public class EtcdCluster extends CustomResource<EtcdClusterSpec, EtcdClusterStatus> implements Namespaced {

  public static final String GROUP = "etcd.quorum.dev";
  public static final String VERSION = "v1alpha1";

  @Override
  protected EtcdClusterSpec initSpec() {
    return new EtcdClusterSpec();
  }
}
