package org.softmax4j.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import org.softmax4j.Version;
import org.softmax4j.engine.Backend;

import picocli.CommandLine.Command;

@Command(name = "info", description = "Show which back ends are available here, and if not, why.")
final class InfoCommand extends BaseCommand {

    @Override
    int execute() {
        report("softmax4j " + Version.get() + " on Java " + System.getProperty("java.version") + " ("
                + System.getProperty("java.vm.name") + "), " + System.getProperty("os.name") + " "
                + System.getProperty("os.arch") + ", " + Runtime.getRuntime().availableProcessors() + " processors");
        JsonArray backends = new JsonArray();
        java.util.List<Backend.Status> statuses = Backend.statuses();
        for (Backend.Status status : statuses) {
            report(String.format("  %-5s %s: %s", status.name(), status.available() ? "available" : "not available",
                    status.detail()));
            JsonObject entry = new JsonObject();
            entry.addProperty("name", status.name());
            entry.addProperty("available", status.available());
            entry.addProperty("detail", status.detail());
            entry.addProperty("device", status.device());
            entry.addProperty("emulated", status.emulated());
            backends.add(entry);
        }
        Backend.Status auto = statuses.stream().filter(s -> s.name().equals("cuda") && s.available()).findFirst()
                .orElse(statuses.get(0));
        report("  auto  means: " + auto.name() + (auto.emulated() ? " (the CUDA emulator on the CPU, not a GPU)" : ""));
        JsonObject json = new JsonObject();
        json.addProperty("command", "info");
        json.addProperty("version", Version.get());
        json.addProperty("java", System.getProperty("java.version"));
        json.addProperty("processors", Runtime.getRuntime().availableProcessors());
        json.add("backends", backends);
        json.addProperty("auto", auto.name());
        json.addProperty("device", auto.device());
        json.addProperty("emulated", auto.emulated());
        printJson(json);
        return ExitCodes.OK;
    }
}
