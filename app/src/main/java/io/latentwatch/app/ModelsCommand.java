package io.latentwatch.app;

import io.latentwatch.core.bundle.InvalidBundleException;
import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.core.bundle.ModelManifest;
import io.latentwatch.core.registry.ModelRegistry;
import io.latentwatch.core.registry.RegistryDecision;
import io.latentwatch.core.registry.RegistryException;
import io.latentwatch.schemas.ModelEventType;
import io.latentwatch.streaming.ModelEvents;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code latentwatch models list|show|register|promote|rollback}: the model registry. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = {"The model registry: versioned bundles with manifest, SHA-256 and provenance, the promoted version "
                + "of each model, and a log of decisions.",
                "promote and rollback publish a model event to the models topic when --bootstrap-servers is given; "
                        + "streaming instances that follow it (models.follow=true) switch to that version without a restart.",
                "Exit codes: 0 done, 1 failed, 2 bad arguments or a bundle that fails verification."},
        subcommands = {ModelsCommand.ListCmd.class, ModelsCommand.Show.class, ModelsCommand.Register.class,
                ModelsCommand.Promote.class, ModelsCommand.Rollback.class})
final class ModelsCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Options every subcommand takes. */
    static final class RegistryOptions {
        @Option(names = "--registry", required = true, paramLabel = "DIR", description = "Registry root directory.")
        Path registry;
    }

    /** Where model events go. */
    static final class EventOptions {
        @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
                description = "Kafka to publish the model event to; without it only the registry changes.")
        String bootstrapServers;
        @Option(names = "--models-topic", defaultValue = "models", description = "Compacted topic of model events (default: ${DEFAULT-VALUE}).")
        String modelsTopic;

        void publish(ModelEventType type, ModelBundle bundle, Map<String, String> details) {
            if (bootstrapServers == null) {
                return;
            }
            Properties p = new Properties();
            p.put("bootstrap.servers", bootstrapServers);
            ModelEvents.publish(p, modelsTopic, ModelEvents.of(type, bundle, details));
            System.err.printf("published %s %s@%s to %s%n", type, bundle.manifest().modelId(),
                    bundle.manifest().modelVersion(), modelsTopic);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists models and their versions; * marks the promoted one.")
    static final class ListCmd implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        RegistryOptions reg = new RegistryOptions();
        @Parameters(arity = "0..1", paramLabel = "MODEL_ID", description = "Only this model.")
        String modelId;

        @Override
        public Integer call() {
            return guarded("list", () -> {
                ModelRegistry registry = ModelRegistry.open(reg.registry);
                for (String id : modelId == null ? registry.modelIds() : List.of(modelId)) {
                    String promoted = registry.promoted(id).orElse(null);
                    for (String v : registry.versions(id)) {
                        System.out.printf("%s\t%s%s%n", id, v, v.equals(promoted) ? "\t*" : "");
                    }
                }
            });
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Shows a version's manifest summary, provenance and decisions.")
    static final class Show implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        RegistryOptions reg = new RegistryOptions();
        @Parameters(index = "0", paramLabel = "MODEL_ID")
        String modelId;
        @Parameters(index = "1", arity = "0..1", paramLabel = "VERSION", description = "Default: the promoted version.")
        String version;

        @Override
        public Integer call() {
            return guarded("show", () -> {
                ModelRegistry registry = ModelRegistry.open(reg.registry);
                String v = version != null ? version : registry.promoted(modelId).orElseThrow(() ->
                        new RegistryException("model " + modelId + " has no promoted version; name one"));
                ModelBundle b = registry.bundle(modelId, v);
                ModelManifest m = b.manifest();
                System.out.printf("model_id=%s version=%s promoted=%s sha256=%s created=%s architecture=%s%n", m.modelId(),
                        m.modelVersion(), v.equals(registry.promoted(modelId).orElse(null)), m.onnxSha256(), m.createdAt(),
                        m.architecture());
                System.out.printf("features=%s window=%d input_width=%d latent=%d warning=%.6g critical=%.6g%n",
                        m.featureNames(), m.windowLength(), m.inputWidth(), m.latentDim(), m.thresholds().warning(),
                        m.thresholds().critical());
                System.out.printf("provenance source=%s data_sha256=%s rows=%d epochs=%d seed=%d settings=%s%n",
                        m.provenance().dataSource(), m.provenance().dataSha256(), m.provenance().rows(),
                        m.provenance().epochs(), m.provenance().seed(), m.provenance().settings());
                for (RegistryDecision d : registry.decisions(modelId)) {
                    if (d.version().equals(v)) {
                        System.out.printf("decision %s %s reason=\"%s\" figures=%s%n",
                                Instant.ofEpochMilli(d.timestampMillis()), d.action(), d.reason(), d.figures());
                    }
                }
            });
        }
    }

    @Command(name = "register", mixinStandardHelpOptions = true,
            description = "Copies a trained bundle (latentwatch train --out) into the registry under the id and version its manifest names, "
                    + "after verifying it; --promote also makes it the promoted version.")
    static final class Register implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        RegistryOptions reg = new RegistryOptions();
        @picocli.CommandLine.Mixin
        EventOptions events = new EventOptions();
        @Option(names = "--bundle", required = true, paramLabel = "DIR", description = "The bundle directory to register.")
        Path bundle;
        @Option(names = "--reason", defaultValue = "registered by hand", description = "Recorded in the decision log.")
        String reason;
        @Option(names = "--promote", description = "Promote the registered version at once.")
        boolean promote;

        @Override
        public Integer call() {
            return guarded("register", () -> {
                ModelRegistry registry = ModelRegistry.open(reg.registry);
                ModelBundle registered = registry.register(ModelBundle.load(bundle), reason);
                var m = registered.manifest();
                System.out.printf("registered %s@%s sha256=%s at %s%n", m.modelId(), m.modelVersion(), m.onnxSha256(),
                        registered.directory());
                if (promote) {
                    registry.promote(m.modelId(), m.modelVersion(), reason, Map.of());
                    events.publish(ModelEventType.PROMOTED, registered, Map.of("reason", reason));
                    System.out.printf("promoted %s@%s%n", m.modelId(), m.modelVersion());
                }
            });
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true, description = "Promotes a version (after verifying its bundle).")
    static final class Promote implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        RegistryOptions reg = new RegistryOptions();
        @picocli.CommandLine.Mixin
        EventOptions events = new EventOptions();
        @Parameters(index = "0", paramLabel = "MODEL_ID")
        String modelId;
        @Parameters(index = "1", paramLabel = "VERSION")
        String version;
        @Option(names = "--reason", defaultValue = "promoted by hand", description = "Recorded in the decision log.")
        String reason;

        @Override
        public Integer call() {
            return guarded("promote", () -> {
                ModelRegistry registry = ModelRegistry.open(reg.registry);
                RegistryDecision d = registry.promote(modelId, version, reason, Map.of());
                events.publish(ModelEventType.PROMOTED, registry.bundle(modelId, version), Map.of("reason", reason));
                System.out.printf("promoted %s@%s sha256=%s%n", modelId, d.version(), d.figures().get("sha256"));
            });
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Promotes the version that was promoted before the current one.")
    static final class Rollback implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        RegistryOptions reg = new RegistryOptions();
        @picocli.CommandLine.Mixin
        EventOptions events = new EventOptions();
        @Parameters(index = "0", paramLabel = "MODEL_ID")
        String modelId;
        @Option(names = "--reason", description = "Recorded in the decision log.")
        String reason;

        @Override
        public Integer call() {
            return guarded("rollback", () -> {
                ModelRegistry registry = ModelRegistry.open(reg.registry);
                RegistryDecision d = registry.rollback(modelId, reason);
                events.publish(ModelEventType.ROLLED_BACK, registry.bundle(modelId, d.version()),
                        Map.of("reason", d.reason(), "from", d.figures().getOrDefault("from", "")));
                System.out.printf("rolled back %s to %s (from %s)%n", modelId, d.version(), d.figures().get("from"));
            });
        }
    }

    /** Runs an action and turns registry and bundle errors into a message and an exit code. */
    static int guarded(String command, Runnable action) {
        try {
            action.run();
            return 0;
        } catch (RegistryException | InvalidBundleException e) {
            System.err.println("latentwatch models " + command + ": " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            System.err.println("latentwatch models " + command + ": " + e);
            return 1;
        }
    }
}
