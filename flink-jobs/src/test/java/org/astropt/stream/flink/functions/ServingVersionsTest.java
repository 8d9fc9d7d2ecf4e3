package org.astropt.stream.flink.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.astropt.stream.flink.records.ModelPointer;
import org.junit.jupiter.api.Test;

/**
 * Which model version serves: the records of the models topic and the outcome of each load in, the next
 * load, fall-backs, refusals and snapshots out. Plain calls, no threads: the loads are played by the test.
 */
class ServingVersionsTest {

    static final String NAME = "astropt-small";

    final ServingVersions versions = new ServingVersions();

    @Test
    void theNewestWaitingVersionLoadsFirstAndOlderOnesAreSuperseded() {
        versions.receive(NAME, record(1, "PROMOTED"));
        assertEquals(1, versions.nextLoad(NAME).version);
        versions.receive(NAME, record(2, "PROMOTED"));
        versions.receive(NAME, record(3, "PROMOTED"));
        assertNull(versions.nextLoad(NAME), "one load at a time");
        assertTrue(versions.loaded(NAME, record(1, "PROMOTED")));
        assertEquals(1, versions.serving(NAME).version);
        assertEquals(3, versions.nextLoad(NAME).version, "the newest waiting version is tried first");
        assertTrue(versions.loaded(NAME, record(3, "PROMOTED")));
        assertNull(versions.nextLoad(NAME), "v2 was superseded by v3");
        assertEquals(3, versions.serving(NAME).version);
    }

    @Test
    void whenTheNewestIsRefusedTheNextNewestIsTried() {
        serve(1);
        versions.receive(NAME, record(2, "PROMOTED"));
        assertEquals(2, versions.nextLoad(NAME).version);
        versions.receive(NAME, record(3, "PROMOTED"));
        versions.receive(NAME, record(4, "PROMOTED"));
        assertTrue(versions.loaded(NAME, record(2, "PROMOTED")));
        assertEquals(4, versions.nextLoad(NAME).version);
        assertTrue(versions.refused(NAME, record(4, "PROMOTED")), "refused here for the first time: publish REJECTED");
        assertEquals(3, versions.nextLoad(NAME).version, "v4 refused: v3 is tried");
        assertTrue(versions.loaded(NAME, record(3, "PROMOTED")));
        assertEquals(3, versions.serving(NAME).version);
    }

    @Test
    void versionsOnlyGoUpAndACandidateNeverServes() {
        serve(2);
        versions.receive(NAME, record(1, "PROMOTED"));
        versions.receive(NAME, record(2, "PROMOTED"));
        versions.receive(NAME, record(3, "CANDIDATE"));
        assertNull(versions.nextLoad(NAME));
        assertEquals(2, versions.serving(NAME).version);
    }

    @Test
    void aRolledBackServingVersionFallsBackToTheNewestPromotedBelowIt() {
        serve(1);
        serve(2);
        serve(3);
        versions.receive(NAME, record(3, "ROLLED_BACK"));
        assertEquals(2, versions.nextLoad(NAME).version, "v3 rolled back: v2, the newest below it, loads");
        assertTrue(versions.loaded(NAME, record(2, "PROMOTED")));
        assertEquals(2, versions.serving(NAME).version);
    }

    @Test
    void theFallBackSkipsWithdrawnVersions() {
        serve(1);
        serve(2);
        serve(3);
        versions.receive(NAME, record(2, "REJECTED"));
        assertNull(versions.nextLoad(NAME), "v2 does not serve: nothing to do");
        versions.receive(NAME, record(3, "REJECTED"));
        assertEquals(1, versions.nextLoad(NAME).version, "v2 is withdrawn too: back to v1");
    }

    @Test
    void aFallBackThatIsRefusedGoesFurtherBack() {
        serve(1);
        serve(2);
        serve(3);
        versions.receive(NAME, record(3, "ROLLED_BACK"));
        ModelPointer back = versions.nextLoad(NAME);
        assertEquals(2, back.version);
        assertTrue(versions.refused(NAME, back));
        assertEquals(1, versions.nextLoad(NAME).version, "v2 no longer loads: v1");
    }

    @Test
    void withNoOlderVersionTheWithdrawnOneKeepsServingUntilANewerArrives() {
        serve(1);
        versions.receive(NAME, record(1, "ROLLED_BACK"));
        assertNull(versions.nextLoad(NAME), "nothing to go back to");
        assertEquals(1, versions.serving(NAME).version, "v1 keeps serving");
        versions.receive(NAME, record(2, "PROMOTED"));
        assertEquals(2, versions.nextLoad(NAME).version, "the trainer's rollback publishes a newer version");
        assertTrue(versions.loaded(NAME, record(2, "PROMOTED")));
    }

    @Test
    void aVersionWithdrawnWhileItLoadsIsDiscardedAndAManualPromotionMakesItEligibleAgain() {
        serve(1);
        versions.receive(NAME, record(3, "PROMOTED"));
        assertEquals(3, versions.nextLoad(NAME).version);
        versions.receive(NAME, record(3, "REJECTED"));
        assertFalse(versions.loaded(NAME, record(3, "PROMOTED")), "withdrawn meanwhile: discarded");
        assertEquals(1, versions.serving(NAME).version);
        assertNull(versions.nextLoad(NAME));

        versions.receive(NAME, record(3, "PROMOTED"));
        assertEquals(3, versions.nextLoad(NAME).version, "the latest record of a version wins");
        assertTrue(versions.loaded(NAME, record(3, "PROMOTED")));
        assertEquals(3, versions.serving(NAME).version);
    }

    @Test
    void aWithdrawnVersionWaitingToLoadIsNeverLoaded() {
        serve(1);
        versions.receive(NAME, record(3, "PROMOTED"));
        assertEquals(3, versions.nextLoad(NAME).version);
        versions.receive(NAME, record(2, "PROMOTED"));
        versions.receive(NAME, record(2, "REJECTED"));
        assertTrue(versions.refused(NAME, record(3, "PROMOTED")));
        assertNull(versions.nextLoad(NAME), "v2 waited, but was withdrawn");
        assertEquals(1, versions.serving(NAME).version);
    }

    @Test
    void aVersionRefusedHereIsPublishedOnceEvenWhenItsRecordsArriveAgain() {
        serve(1);
        versions.receive(NAME, record(2, "PROMOTED"));
        ModelPointer bad = versions.nextLoad(NAME);
        assertTrue(versions.refused(NAME, bad), "the first refusal publishes REJECTED");
        assertTrue(versions.isWithdrawn(NAME, 2));
        versions.receive(NAME, record(2, "REJECTED")); // the record published here comes back
        assertNull(versions.nextLoad(NAME));
        versions.receive(NAME, record(2, "PROMOTED")); // then a PROMOTED record of it again
        assertEquals(2, versions.nextLoad(NAME).version, "the latest record wins: it is tried again");
        assertFalse(versions.refused(NAME, record(2, "PROMOTED")), "refused again, but not published twice");
        assertEquals(1, versions.serving(NAME).version, "v1 keeps serving");
    }

    @Test
    void aRefusalOfAVersionAlreadyRejectedPublishesNothing() {
        serve(1);
        versions.receive(NAME, record(2, "PROMOTED"));
        assertEquals(2, versions.nextLoad(NAME).version);
        versions.receive(NAME, record(2, "REJECTED")); // read while v2 loads: the REJECTED record is already there
        assertFalse(versions.refused(NAME, record(2, "PROMOTED")));
    }

    @Test
    void aFallBackOvertakenByANewPromotionOfTheServingVersionIsDiscarded() {
        serve(1);
        serve(2);
        versions.receive(NAME, record(2, "ROLLED_BACK"));
        assertEquals(1, versions.nextLoad(NAME).version);
        versions.receive(NAME, record(2, "PROMOTED"));
        assertFalse(versions.loaded(NAME, record(1, "PROMOTED")), "v2 is promoted again and serves: v1 is not needed");
        assertEquals(2, versions.serving(NAME).version);
    }

    @Test
    void theLast16PromotedVersionsAreRememberedForAFallBack() {
        for (int v = 1; v <= 20; v++) serve(v);
        List<Long> kept = new ArrayList<>();
        for (ModelPointer p : versions.snapshot(NAME).pointers()) kept.add(p.version);
        kept.sort(null);
        assertEquals(16, kept.size());
        assertEquals(5L, kept.get(0));
        assertEquals(20L, kept.get(15));
    }

    @Test
    void aSnapshotRestoresTheVersionsToTryNewestFirstWithoutWithdrawnOnes() {
        versions.served(NAME, VersionLoader.initial(NAME, "/models/initial"));
        assertTrue(versions.snapshot(NAME).pointers().isEmpty(), "the initial model is not kept: settings name it");
        serve(1);
        serve(2);
        versions.receive(NAME, record(3, "PROMOTED"));
        assertTrue(versions.refused(NAME, versions.nextLoad(NAME)));
        versions.receive(NAME, record(4, "PROMOTED"));
        assertEquals(4, versions.nextLoad(NAME).version);
        versions.receive(NAME, record(5, "PROMOTED")); // waits behind v4
        versions.receive(NAME, record(1, "ROLLED_BACK"));
        ServingVersions.Snapshot s = versions.snapshot(NAME);

        // union state: every old subtask's copy comes back
        List<ModelPointer> twice = new ArrayList<>(s.pointers());
        twice.addAll(s.pointers());
        ServingVersions after = new ServingVersions();
        List<ModelPointer> order = after.restore(NAME, new ServingVersions.Snapshot(twice, s.withdrawn(), s.refused()));
        assertEquals(List.of(5L, 4L, 2L), order.stream().map(p -> p.version).toList(),
                "newest first, each once; v3 refused and v1 rolled back are not tried");
        after.served(NAME, order.get(0));
        after.receive(NAME, record(3, "PROMOTED"));
        assertNull(after.nextLoad(NAME), "versions still only go up after a restore");
        after.receive(NAME, record(5, "ROLLED_BACK"));
        assertEquals(4, after.nextLoad(NAME).version, "the restored versions are there to fall back to");
        assertFalse(after.refused(NAME, record(3, "PROMOTED")), "v3 was refused and published before the restore");
    }

    @Test
    void eachModelNameHasItsOwnVersions() {
        serve(1);
        serve(2);
        versions.receive("other", record("other", 7, "PROMOTED"));
        assertEquals(7, versions.nextLoad("other").version);
        assertTrue(versions.loaded("other", record("other", 7, "PROMOTED")));
        versions.receive(NAME, record(2, "ROLLED_BACK"));
        assertEquals(1, versions.nextLoad(NAME).version);
        assertNull(versions.nextLoad("other"), "other's v7 is untouched");
        assertEquals(7, versions.serving("other").version);
        assertFalse(versions.isWithdrawn("other", 2));
    }

    /** Plays a PROMOTED record and its load to the end: the version serves. */
    private void serve(long version) {
        versions.receive(NAME, record(version, "PROMOTED"));
        ModelPointer p = versions.nextLoad(NAME);
        assertEquals(version, p.version);
        assertTrue(versions.loaded(NAME, p));
    }

    private static ModelPointer record(long version, String status) {
        return record(NAME, version, status);
    }

    private static ModelPointer record(String name, long version, String status) {
        ModelPointer p = new ModelPointer();
        p.name = name;
        p.version = version;
        p.status = status;
        p.weightsUri = "file:///models/" + name + "/v" + version + "/weights.safetensors";
        return p;
    }
}
