package org.softmax4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import org.softmax4j.AtomicFile;
import org.softmax4j.InputException;
import org.softmax4j.model.Model;
import org.softmax4j.model.ModelFile;
import org.softmax4j.model.WeightPicture;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "picture", sortOptions = false,
        description = {"Draw what a model learned: each class's weights as a tile of H x W cells (PNG or SVG).",
                "White is 0, red positive, blue negative, on one scale for all classes (pure red: the largest |w|)."})
final class PictureCommand extends BaseCommand {
    @Option(names = "--model", paramLabel = "FILE", required = true, description = "A model written by train.")
    Path modelFile;

    @Option(names = "--output", paramLabel = "FILE", required = true,
            description = "The picture: FILE.png (cells only) or FILE.svg (with class names, biases if the model "
                    + "has them, and a colour bar).")
    Path outputFile;

    @Option(names = "--shape", paramLabel = "HxW",
            description = "Cells per tile, H rows of W (H x W = the number of features). Default: square (64 gives 8x8).")
    String shape;

    @Option(names = "--columns", paramLabel = "N", defaultValue = "5",
            description = "Tiles per row. Default: ${DEFAULT-VALUE}.")
    int columns;

    @Option(names = "--scale", paramLabel = "PX", defaultValue = "16",
            description = "Pixels per cell side, 1 to 256. Default: ${DEFAULT-VALUE}.")
    int scale;

    @Override
    int execute() {
        String name = outputFile.getFileName() == null ? "" : outputFile.getFileName().toString();
        String format = name.toLowerCase(Locale.ROOT).endsWith(".png") ? "png"
                : name.toLowerCase(Locale.ROOT).endsWith(".svg") ? "svg" : null;
        if (format == null) {
            throw new InputException("--output " + outputFile + ": expected a file name ending in .png or .svg");
        }
        if (Files.isDirectory(outputFile)) {
            throw new InputException("--output " + outputFile + " is a directory, expected a file name");
        }
        Model model = ModelFile.read(modelFile);
        int[] cells = shape == null ? WeightPicture.squareShape(model.numFeatures()) : parseShape(shape);
        if (cells == null) {
            throw new InputException("the model has " + model.numFeatures() + " features, not a square number: "
                    + "give --shape HxW");
        }
        WeightPicture picture;
        try {
            picture = new WeightPicture(model, cells[0], cells[1], columns, scale);
        } catch (IllegalArgumentException e) {
            throw new InputException("bad option: " + e.getMessage());
        }
        byte[] bytes = format.equals("png") ? picture.png() : picture.svgBytes();
        AtomicFile.write(outputFile, "picture", stream -> stream.write(bytes));
        report(String.format(Locale.ROOT, "wrote %s: %d classes as tiles of %dx%d cells, %d per row; white 0, "
                + "red +%.4g, blue -%.4g (the largest |w|)", outputFile, model.numClasses(), cells[0], cells[1],
                picture.columns(), picture.maxAbsWeight(), picture.maxAbsWeight()));
        JsonObject json = new JsonObject();
        json.addProperty("command", "picture");
        json.addProperty("model", modelFile.toString());
        json.addProperty("output", outputFile.toString());
        json.addProperty("format", format);
        json.addProperty("tile_height", cells[0]);
        json.addProperty("tile_width", cells[1]);
        json.addProperty("columns", picture.columns());
        json.addProperty("rows", picture.rows());
        json.add("max_abs_weight", Json.number(picture.maxAbsWeight()));
        if (format.equals("png")) {
            json.addProperty("width", picture.imageWidth());
            json.addProperty("height", picture.imageHeight());
        }
        JsonArray tiles = new JsonArray();
        model.classNames().forEach(tiles::add);
        json.add("tiles", tiles);
        printJson(json);
        return ExitCodes.OK;
    }

    private static int[] parseShape(String text) {
        String[] parts = text.toLowerCase(Locale.ROOT).split("x", -1);
        try {
            if (parts.length == 2) {
                return new int[] {Integer.parseInt(parts[0].strip()), Integer.parseInt(parts[1].strip())};
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InputException("--shape is \"" + text + "\", expected HxW, e.g. 8x8");
    }
}
