package org.softmax4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Opens a real report in headless Chromium (Debian's {@code chromium} and {@code chromium-driver}; .ci/run installs
 * them where apt can): no console message at warning level or above, every section and chart displayed with a
 * non-zero size, no overlapping labels in a chart, and a full-page screenshot kept as target/report-browser/report.png. Skipped, saying why, where the
 * browser or its driver is missing ({@code -Dsoftmax4j.chromium} and {@code -Dsoftmax4j.chromedriver} point
 * elsewhere).
 */
class ReportBrowserTest {
    private static final String CHROMIUM = System.getProperty("softmax4j.chromium", "/usr/bin/chromium");
    private static final String DRIVER = System.getProperty("softmax4j.chromedriver", "/usr/bin/chromedriver");

    @TempDir
    Path dir;

    @Test
    void reportOpensInChromiumWithoutErrors() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of(CHROMIUM)), "no Chromium at " + CHROMIUM
                + " (Debian: apt-get install chromium chromium-driver)");
        Assumptions.assumeTrue(Files.isExecutable(Path.of(DRIVER)), "no chromedriver at " + DRIVER
                + " (Debian: apt-get install chromium-driver)");
        ReportTest.build(dir); // the same real run and report as ReportTest
        Path html = ReportTest.html;

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1200,900", "--user-data-dir=" + dir.resolve("profile"));
        LoggingPreferences logging = new LoggingPreferences();
        logging.enable(LogType.BROWSER, java.util.logging.Level.ALL);
        options.setCapability("goog:loggingPrefs", logging);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(DRIVER)).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        try {
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
            driver.get(html.toUri().toString());
            assertEquals("softmax4j training report", driver.getTitle());
            List<String> problems = new ArrayList<>();
            for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
                if (entry.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                    problems.add(entry.getLevel() + " " + entry.getMessage());
                }
            }
            assertEquals(List.of(), problems, "console messages");

            for (String id : List.of("curve", "weights", "confusion", "per-class", "confused", "calibration",
                    "run")) {
                WebElement section = driver.findElement(By.id(id));
                assertTrue(section.isDisplayed(), "section " + id + " is displayed");
                assertTrue(section.getSize().getWidth() > 0 && section.getSize().getHeight() > 0,
                        "section " + id + " has a size: " + section.getSize());
            }
            List<WebElement> charts = driver.findElements(By.cssSelector("svg.chart, svg.heatmap, svg.weights"));
            assertTrue(charts.size() >= 3 + 1 + 1 + 10, "charts: " + charts.size());
            for (WebElement chart : charts) {
                assertTrue(chart.isDisplayed() && chart.getSize().getWidth() > 0 && chart.getSize().getHeight() > 0,
                        "chart " + chart.getAttribute("id") + " has a size: " + chart.getSize());
            }
            for (WebElement image : driver.findElements(By.cssSelector("img.pixels"))) {
                Object width = driver.executeScript("return arguments[0].naturalWidth;", image);
                assertTrue(((Number) width).intValue() > 0, "the image " + image.getAttribute("alt") + " decoded");
            }
            // No two labels of a chart (titles, ticks, legend, markers) overlap, as laid out by the browser's fonts.
            @SuppressWarnings("unchecked")
            List<String> overlaps = (List<String>) driver.executeScript(
                    "const out = [];"
                    + "for (const svg of document.querySelectorAll('svg.chart, svg.heatmap')) {"
                    + "  const texts = [...svg.querySelectorAll('text')].filter(t => !t.closest('g.cell'));"
                    + "  const boxes = texts.map(t => t.getBoundingClientRect());"
                    + "  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {"
                    + "    const a = boxes[i], b = boxes[j];"
                    + "    if (a.width * a.height === 0 || b.width * b.height === 0) continue;"
                    + "    const rotated = texts[i].hasAttribute('transform') && texts[j].hasAttribute('transform');"
                    + "    const dx = Math.min(a.right, b.right) - Math.max(a.left, b.left);"
                    + "    const dy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);"
                    + "    if (!rotated && dx > 1 && dy > 1) out.push(svg.id + ': \"' + texts[i].textContent"
                    + "        + '\" and \"' + texts[j].textContent + '\"');"
                    + "  }"
                    + "}"
                    + "return out;");
            assertEquals(List.of(), overlaps, "overlapping labels");
            // A chart as wide as its viewBox says: nothing squeezed into a thin strip.
            WebElement curve = driver.findElement(By.id("chart-likelihood"));
            assertTrue(curve.getSize().getWidth() >= 600, "the curve is " + curve.getSize());

            Number height = (Number) driver.executeScript(
                    "return Math.ceil(document.documentElement.scrollHeight);");
            driver.manage().window().setSize(new Dimension(1200, Math.min(16000, height.intValue() + 40)));
            Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot",
                    Map.of("format", "png", "captureBeyondViewport", true));
            byte[] png = java.util.Base64.getDecoder().decode((String) shot.get("data"));
            Path artefacts = Path.of("target", "report-browser");
            Files.createDirectories(artefacts);
            Files.write(artefacts.resolve("report.png"), png);
            Files.copy(html, artefacts.resolve("report.html"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertTrue(png.length > 10_000, "a screenshot of the page: " + png.length + " bytes");
        } finally {
            driver.quit();
        }
    }
}
