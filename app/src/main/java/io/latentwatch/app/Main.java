package io.latentwatch.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code latentwatch} command line. */
@Command(name = "latentwatch", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Streaming anomaly detection with autoencoders, ONNX Runtime and Kafka Streams.",
        subcommands = {DemoCommand.class, TrainCommand.class, EvaluateCommand.class, ServeCommand.class, BrokerCommand.class, BenchCommand.class, NabCommand.class, ModelsCommand.class, RetrainCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        Runtime.configureDefaults();
        int code = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
        System.exit(code);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Reads the version the jar was built with. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"latentwatch " + (v == null ? "(development build)" : v)};
        }
    }
}
