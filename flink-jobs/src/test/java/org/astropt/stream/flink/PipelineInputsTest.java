package org.astropt.stream.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Properties;
import org.astropt.stream.flink.PipelineInputs.Format;
import org.junit.jupiter.api.Test;

class PipelineInputsTest {

    @Test
    void unsetReadsTheCutoutsTopicAsBefore() {
        PipelineInputs inputs = PipelineInputs.parse(null, "astropt.cutouts");
        assertEquals(List.of("astropt.cutouts"), inputs.topics());
        assertEquals(Format.CUTOUT, inputs.formatOf("astropt.cutouts"));
        assertTrue(inputs.literal());
    }

    @Test
    void topicsAndPatternsEachWithAFormatTheFirstMatchWins() {
        PipelineInputs inputs = PipelineInputs.parse("astropt.cutouts=cutout, astropt.alerts.ztf=ztf-alert,"
                + " /ztf_\\d{8}_programid1/=ztf-alert, /lsst-.*/=rubin-alert, astropt.fits=FITS, /astropt\\..*/=rubin-alert", "x");
        assertEquals(Format.CUTOUT, inputs.formatOf("astropt.cutouts"));
        assertEquals(Format.ZTF_ALERT, inputs.formatOf("astropt.alerts.ztf"));
        assertEquals(Format.ZTF_ALERT, inputs.formatOf("ztf_20190110_programid1"));
        assertEquals(Format.RUBIN_ALERT, inputs.formatOf("lsst-alerts-v11"));
        assertEquals(Format.FITS, inputs.formatOf("astropt.fits"));
        assertEquals(Format.RUBIN_ALERT, inputs.formatOf("astropt.other"));
        assertFalse(inputs.literal());
        var subscription = inputs.subscription();
        assertTrue(subscription.matcher("ztf_20190110_programid1").matches());
        assertTrue(subscription.matcher("astropt.cutouts").matches());
        assertFalse(subscription.matcher("ztf_2019_programid2").matches());
        assertFalse(subscription.matcher("astroptXcutouts").matches(), "a literal topic's dots are not wildcards");
    }

    @Test
    void badEntriesAreOneLineNamingTheEntry() {
        assertEquals("pipeline.inputs entry 'astropt.alerts' is not <topic>=<format> (formats: cutout, ztf-alert, rubin-alert, fits)",
                assertThrows(IllegalArgumentException.class, () -> PipelineInputs.parse("astropt.alerts", "x")).getMessage());
        assertEquals("pipeline.inputs entry 'a=avro': unknown input format 'avro'; known: cutout, ztf-alert, rubin-alert, fits",
                assertThrows(IllegalArgumentException.class, () -> PipelineInputs.parse("a=avro", "x")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PipelineInputs.parse("/ztf_[/=ztf-alert", "x"))
                .getMessage().startsWith("pipeline.inputs entry '/ztf_[/=ztf-alert': not a regular expression"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PipelineInputs.parse("my topic=fits", "x"))
                .getMessage().contains("is not a Kafka topic name"));
    }

    @Test
    void aBadSettingFailsWhenThePipelineSettingsLoad() {
        Properties p = new Properties();
        p.setProperty("pipeline.inputs", "astropt.alerts.ztf=ztf");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PipelineSettings.of(p));
        assertTrue(e.getMessage().contains("unknown input format 'ztf'"), e.getMessage());
    }
}
