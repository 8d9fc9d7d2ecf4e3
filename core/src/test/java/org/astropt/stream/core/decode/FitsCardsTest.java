package org.astropt.stream.core.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Which header cards become metadata: the same keywords as the regex this rule replaced. */
class FitsCardsTest {

    /** The rule as it was, a regex matched per card. */
    private static final Pattern STRUCTURAL = Pattern.compile(
            "SIMPLE|XTENSION|BITPIX|NAXIS\\d*|EXTEND|PCOUNT|GCOUNT|GROUPS|END|BSCALE|BZERO|BLANK|THEAP|TFIELDS|"
                    + "CHECKSUM|DATASUM|ZIMAGE|ZCMPTYPE|ZBITPIX|ZNAXIS\\d*|ZTILE\\d*|ZNAME\\d*|ZVAL\\d*|ZMASKCMP|ZQUANTIZ|"
                    + "ZDITHER0|ZSIMPLE|ZEXTEND|ZBLOCKED|ZTENSION|ZPCOUNT|ZGCOUNT|ZHECKSUM|ZDATASUM|ZBLANK|ZSCALE|ZZERO|"
                    + "T(TYPE|FORM|UNIT|DIM|NULL|SCAL|ZERO|DISP)\\d+");

    @Test
    void structuralCardsAreLeftOutAsTheRegexDid() {
        List<String> keys = List.of("SIMPLE", "XTENSION", "BITPIX", "NAXIS", "NAXIS1", "NAXIS999", "NAXISX", "EXTEND",
                "PCOUNT", "GCOUNT", "GROUPS", "END", "BSCALE", "BZERO", "BLANK", "THEAP", "TFIELDS", "CHECKSUM", "DATASUM",
                "ZIMAGE", "ZCMPTYPE", "ZBITPIX", "ZNAXIS", "ZNAXIS2", "ZTILE", "ZTILE1", "ZNAME1", "ZNAME", "ZVAL1",
                "ZVAL", "ZMASKCMP", "ZQUANTIZ", "ZDITHER0", "ZDITHER1", "ZSIMPLE", "ZEXTEND", "ZBLOCKED", "ZTENSION",
                "ZPCOUNT", "ZGCOUNT", "ZHECKSUM", "ZDATASUM", "ZBLANK", "ZSCALE", "ZZERO", "TTYPE1", "TTYPE", "TFORM12",
                "TUNIT3", "TDIM1", "TNULL2", "TSCAL1", "TZERO1", "TDISP4", "TDISPX", "TELESCOP", "TRUTH_N", "TRUTH_RE",
                "NOVEL", "NSTARS", "NARMS", "OBJECT", "FILTER", "BAND", "EXPTIME", "MJD-OBS", "ZP", "Z", "T", "N", "",
                "BUNIT", "EXTNAME", "INHERIT", "ARTEFACT", "ART1", "MAGZERO");
        for (String key : keys) {
            assertEquals(!STRUCTURAL.matcher(key).matches(), FitsCards.isMetadata(key), key);
        }
    }
}
