package org.softmax4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.softmax4j.data.CsvData;
import org.softmax4j.data.CsvOptions;
import org.softmax4j.data.CsvReader;
import org.softmax4j.data.FeatureProfile;
import org.softmax4j.engine.Parameters;

class DataContractTest {
    /** A 2-class model of 3 features whose training saw 0..1, 0..1 and 10..20, each 0 in half of the rows. */
    private static Model model(List<String> names) {
        FeatureProfile trained = new FeatureProfile(100, new double[] {0, 0, 10}, new double[] {1, 1, 20},
                new double[] {0.5, 0.5, 15}, new double[] {0.5, 0.5, 0.5});
        return new Model(new Parameters(2, 3), List.of("a", "b"), null, ModelTest.training(), names, trained);
    }

    private static CsvData rows(String csv, Double threshold) {
        return CsvReader.readProfiled(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), "new.csv",
                CsvOptions.defaults().withBinarizeThreshold(threshold));
    }

    @Test
    void dataInsideTheTrainingRangeGiveNoNotice() {
        assertEquals(List.of(), DataContract.check(model(null), rows("0,1,12,a\n1,0,19,b\n", null), null));
        // Twice the span away is still within reach: only "far outside" is reported.
        assertEquals(List.of(), DataContract.check(model(null), rows("-1,2,0,a\n1,0,30,b\n", null), null));
    }

    @Test
    void aColumnFarOutsideItsRangeIsNamedWithWhatTrainingSaw() {
        List<String> notices = DataContract.check(model(List.of("x", "y", "z")), rows("0,9,12,a\n1,0,19,b\n", null),
                null);
        assertEquals(List.of("notice: new.csv: column 2 (feature \"y\", 2 of the model) has values from 0 to 9, far "
                + "outside the training range 0 to 1 (a label or a column of other data?)"), notices);
    }

    @Test
    void aBinarizationThatMakesAColumnConstantIsReportedOnlyWhenChanceCannotExplainIt() {
        StringBuilder many = new StringBuilder();
        for (int n = 0; n < 30; n++) {
            many.append(n % 2).append(",0,").append(n % 2 == 0 ? 0 : 18).append(n % 2 == 0 ? ",a\n" : ",b\n");
        }
        // Column 2 is always 0 at threshold 0.5 over 30 rows: 0.5^30 is below the 1e-6 of chance.
        List<String> notices = DataContract.check(model(null), rows(many.toString(), 0.5), 0.5);
        assertEquals(1, notices.size(), notices.toString());
        assertTrue(notices.get(0).contains("binarized at 0.5, column 2 (feature 2) is always 0; in training it was 1 "
                + "in 50.0% of the rows"), notices.get(0));
        // Three such rows could well be chance (0.5^3): no notice.
        assertEquals(List.of(), DataContract.check(model(null), rows("1,0,12,a\n0,0,18,a\n1,0,12,b\n", 0.5), 0.5));
    }

    @Test
    void aModelWithoutAProfileChecksNothing() {
        Model v1 = new Model(new Parameters(2, 3), List.of("a", "b"), null, ModelTest.training());
        assertEquals(List.of(), DataContract.check(v1, rows("0,900,12,a\n1,0,12,b\n", null), null));
    }

    @Test
    void theProfileIsOfTheValuesAsReadAndTheZeroShareAsStored() {
        FeatureProfile profile = rows("0,3,12,a\n1,9,18,b\n4,0,10,a\n2,0,20,b\n", 2.0).profile();
        assertEquals(4, profile.numRows());
        assertEquals(0, profile.min(0));
        assertEquals(4, profile.max(0));
        assertEquals(1.75, profile.mean(0));
        // At threshold 2: 0 and 1 are 0; 4 and 2 are 1.
        assertEquals(0.5, profile.zeroShare(0));
        assertEquals(0.5, profile.zeroShare(1));
        assertEquals(0.0, profile.zeroShare(2));
    }
}
