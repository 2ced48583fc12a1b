package dev.quorum.smoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.rig.RigSession;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the local kubelet promises pods, beyond etcd: init order, env, volumes, probes, images it cannot run. */
class LocalKubeletIT {

  @RegisterExtension
  // the rig's own pods, not the operator's: no Pod Security level to meet
  static final RigSession RIG = RigSession.privileged();

  @Test
  void initContainersInOrderThenContainerWithEnvVolumesAndExecProbe() throws Exception {
    RIG.client().configMaps().inNamespace(RIG.namespace()).resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
        .withNewMetadata().withName("settings").endMetadata().addToData("greeting", "hi").build()).create();
    String sh = "/bin/sh";
    Pod pod = new PodBuilder().withNewMetadata().withName("shell").endMetadata().withNewSpec()
        .addNewInitContainer().withName("first").withImage("quay.io/coreos/etcd:v3.6.16")
        .withCommand(sh, "-c", "echo first >> /work/order").addNewVolumeMount().withName("work")
        .withMountPath("/work").endVolumeMount().endInitContainer()
        .addNewInitContainer().withName("second").withImage("quay.io/coreos/etcd:v3.6.16")
        .withCommand(sh, "-c", "echo second >> /work/order").addNewVolumeMount().withName("work")
        .withMountPath("/work").endVolumeMount().endInitContainer()
        .addNewContainer().withName("main").withImage("quay.io/coreos/etcd:v3.6.16")
        .withCommand(sh, "-c", "cat /work/order; echo \"name=$(POD_NAME) ip=$POD_IP says=$(GREETING)\";"
            + " cat /config/greeting; echo; touch /work/ready; exec sleep 3600")
        .addNewEnv().withName("POD_NAME").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name")
        .endFieldRef().endValueFrom().endEnv()
        .addNewEnv().withName("POD_IP").withNewValueFrom().withNewFieldRef().withFieldPath("status.podIP")
        .endFieldRef().endValueFrom().endEnv()
        .addNewEnv().withName("GREETING").withNewValueFrom().withNewConfigMapKeyRef().withName("settings")
        .withKey("greeting").endConfigMapKeyRef().endValueFrom().endEnv()
        .addNewVolumeMount().withName("work").withMountPath("/work").endVolumeMount()
        .addNewVolumeMount().withName("config").withMountPath("/config").endVolumeMount()
        .withNewReadinessProbe().withNewExec().withCommand(sh, "-c", "test -f /work/ready").endExec()
        .withPeriodSeconds(1).endReadinessProbe()
        .endContainer()
        .addNewVolume().withName("work").withNewEmptyDir().endEmptyDir().endVolume()
        .addNewVolume().withName("config").withNewConfigMap().withName("settings").endConfigMap().endVolume()
        .withTerminationGracePeriodSeconds(2L)
        .endSpec().build();
    RIG.client().pods().inNamespace(RIG.namespace()).resource(pod).create();

    await("pod ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
      Pod p = RIG.client().pods().inNamespace(RIG.namespace()).withName("shell").get();
      return p.getStatus() != null && "Running".equals(p.getStatus().getPhase()) && p.getStatus().getConditions()
          .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    });
    Pod running = RIG.client().pods().inNamespace(RIG.namespace()).withName("shell").get();
    assertThat(running.getStatus().getInitContainerStatuses()).extracting(s -> s.getState().getTerminated().getExitCode())
        .containsExactly(0, 0);
    assertThat(running.getStatus().getPodIP()).startsWith("127.").isNotEqualTo("127.0.0.1");
    Path log = RIG.rig().logs().resolve("pods").resolve(RIG.namespace() + "_shell_main.log");
    String expected = "first\nsecond\nname=shell ip=" + running.getStatus().getPodIP() + " says=hi\nhi\n";
    await("container output").atMost(Duration.ofSeconds(10)).until(() -> Files.readString(log).contains(expected));

    RIG.client().pods().inNamespace(RIG.namespace()).withName("shell").delete();
    await("pod gone after graceful termination").atMost(Duration.ofSeconds(30))
        .until(() -> RIG.client().pods().inNamespace(RIG.namespace()).withName("shell").get() == null);
  }

  @Test
  void anImageTheRigCannotRunIsReportedNotGuessed() {
    RIG.client().pods().inNamespace(RIG.namespace()).resource(new PodBuilder().withNewMetadata().withName("unknown").endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage("example.com/unknown:1.0").endContainer()
        .endSpec().build()).create();
    await("ErrImagePull with a message").atMost(Duration.ofSeconds(30)).until(() -> {
      Pod p = RIG.client().pods().inNamespace(RIG.namespace()).withName("unknown").get();
      if (p.getStatus() == null || p.getStatus().getContainerStatuses() == null
          || p.getStatus().getContainerStatuses().isEmpty()) {
        return false;
      }
      ContainerStatus status = p.getStatus().getContainerStatuses().get(0);
      return status.getState().getWaiting() != null && "ErrImagePull".equals(status.getState().getWaiting().getReason())
          && status.getState().getWaiting().getMessage().contains("example.com/unknown:1.0")
          && "Pending".equals(p.getStatus().getPhase());
    });
    RIG.client().pods().inNamespace(RIG.namespace()).withName("unknown").withGracePeriod(0).delete();
  }

  @Test
  void crashedContainerIsRestartedAndCounted() {
    RIG.client().pods().inNamespace(RIG.namespace()).resource(new PodBuilder().withNewMetadata().withName("crashy").endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage("quay.io/coreos/etcd:v3.6.16")
        .withCommand("/bin/sh", "-c", "exit 3").endContainer().endSpec().build()).create();
    await("restarted with back-off").atMost(Duration.ofSeconds(60)).until(() -> {
      Pod p = RIG.client().pods().inNamespace(RIG.namespace()).withName("crashy").get();
      return p.getStatus() != null && p.getStatus().getContainerStatuses() != null
          && !p.getStatus().getContainerStatuses().isEmpty()
          && p.getStatus().getContainerStatuses().get(0).getRestartCount() >= 2
          && p.getStatus().getContainerStatuses().get(0).getLastState().getTerminated() != null
          && p.getStatus().getContainerStatuses().get(0).getLastState().getTerminated().getExitCode() == 3;
    });
    RIG.client().pods().inNamespace(RIG.namespace()).withName("crashy").withGracePeriod(0).delete();
  }
}
