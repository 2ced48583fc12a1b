package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class EtcdClusterStatus {

  @JsonPropertyDescription("The spec generation this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("Available, Progressing and Degraded conditions.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("Members that serve requests.")
  @StatusReplicas
  private int readyMembers;

  private List<MemberStatus> members = new ArrayList<>();

  @JsonPropertyDescription("Name of the member that leads the cluster.")
  private String leader;

  @JsonPropertyDescription("etcd cluster ID, hexadecimal.")
  private String clusterID;

  @JsonPropertyDescription("etcd version the members run (the lowest one during an upgrade).")
  private String version;

  /**
   * How far the newest revision a member answered may run ahead of {@link #revision} before the status records it: a
   * busy cluster's status is not rewritten on every pass for it. A restore in place counts this much in.
   */
  public static final long REVISION_STEP = 100_000;

  @JsonPropertyDescription("An etcd revision the cluster has reached, at most 100000 behind the newest a member"
      + " answered, and kept while none answers: a restore in place (a recovery from a backup too) starts the restored"
      + " data past it, so revisions never go back.")
  private Long revision;

  @JsonPropertyDescription("Members needed for a majority: size/2 + 1.")
  private Integer quorum;

  @JsonPropertyDescription("How many more members may fail before quorum is lost.")
  private Integer faultTolerance;

  @JsonPropertyDescription("host:port clients connect to.")
  private String clientEndpoint;

  @JsonPropertyDescription("Label selector of the member pods, for the scale subresource.")
  @LabelSelector
  private String selector;

  @JsonPropertyDescription("The membership change in progress (a member replaced, added or removed), if any.")
  private ClusterOperation operation;

  @JsonPropertyDescription("The alarms etcd has raised (NOSPACE, CORRUPT), as last read; empty when none.")
  private List<AlarmStatus> alarms = new ArrayList<>();

  @JsonPropertyDescription("Care of the members' databases under way (e.g. recovering from NOSPACE), if any.")
  private MaintenanceStatus maintenance;

  @JsonPropertyDescription("How the last care of the members' databases ended.")
  private MaintenanceStatus lastMaintenance;

  @JsonPropertyDescription("TLS: the members' certificates and when they expire.")
  private TlsStatus tls;

  public TlsStatus getTls() {
    return tls;
  }

  public void setTls(TlsStatus tls) {
    this.tls = tls;
  }

  public ClusterOperation getOperation() {
    return operation;
  }

  public void setOperation(ClusterOperation operation) {
    this.operation = operation;
  }

  public Optional<Condition> condition(String type) {
    return conditions == null
        ? Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public int getReadyMembers() {
    return readyMembers;
  }

  public void setReadyMembers(int readyMembers) {
    this.readyMembers = readyMembers;
  }

  public List<MemberStatus> getMembers() {
    return members;
  }

  public void setMembers(List<MemberStatus> members) {
    this.members = members;
  }

  public String getLeader() {
    return leader;
  }

  public void setLeader(String leader) {
    this.leader = leader;
  }

  public String getClusterID() {
    return clusterID;
  }

  public void setClusterID(String clusterID) {
    this.clusterID = clusterID;
  }

  public String getVersion() {
    return version;
  }

  public void setVersion(String version) {
    this.version = version;
  }

  public Integer getQuorum() {
    return quorum;
  }

  public void setQuorum(Integer quorum) {
    this.quorum = quorum;
  }

  public Integer getFaultTolerance() {
    return faultTolerance;
  }

  public void setFaultTolerance(Integer faultTolerance) {
    this.faultTolerance = faultTolerance;
  }

  public List<AlarmStatus> getAlarms() {
    return alarms;
  }

  public void setAlarms(List<AlarmStatus> alarms) {
    this.alarms = alarms;
  }

  public MaintenanceStatus getMaintenance() {
    return maintenance;
  }

  public void setMaintenance(MaintenanceStatus maintenance) {
    this.maintenance = maintenance;
  }

  public MaintenanceStatus getLastMaintenance() {
    return lastMaintenance;
  }

  public void setLastMaintenance(MaintenanceStatus lastMaintenance) {
    this.lastMaintenance = lastMaintenance;
  }

  public Long getRevision() {
    return revision;
  }

  public void setRevision(Long revision) {
    this.revision = revision;
  }

  public String getClientEndpoint() {
    return clientEndpoint;
  }

  public void setClientEndpoint(String clientEndpoint) {
    this.clientEndpoint = clientEndpoint;
  }

  public String getSelector() {
    return selector;
  }

  public void setSelector(String selector) {
    this.selector = selector;
  }
}
