package org.astropt.stream.flink.functions;

import java.util.List;
import java.util.Optional;

/**
 * Which device a subtask of the embed operator runs its model on.
 *
 * <ol>
 *   <li>{@code -Dastropt.device=cpu|gpu|gpu1...} on the TaskManager wins: an operator's explicit choice.</li>
 *   <li>GPUs assigned to this TaskManager by Flink's external resource framework ({@code external-resources:
 *       gpu}, config/flink/config.yaml): subtask i of the TaskManager takes the i-th assigned index, round
 *       robin, so two TaskManagers on one host never share a GPU and slots of one TaskManager spread over
 *       its GPUs.</li>
 *   <li>No assignment but libtorch sees GPUs (a plain mini cluster on a GPU host): GPU (subtask mod count).</li>
 *   <li>Otherwise the CPU.</li>
 * </ol>
 * Pure logic over strings, so it is tested without a GPU; {@link EmbedOperator} turns the name into a DJL device.
 */
final class ServingDevice {

    /** The external resource name of config/flink/config.yaml. */
    static final String GPU_RESOURCE = "gpu";

    private ServingDevice() {}

    /**
     * @param override        the astropt.device property, or null/blank
     * @param assignedIndexes the "index" properties of the GPUs Flink assigned to this TaskManager, in order
     * @param visibleGpus     GPUs libtorch sees in this process
     * @param subtask         index of this subtask
     * @return a DJL device name: "cpu" or "gpu" followed by the index
     */
    static String choose(String override, List<String> assignedIndexes, int visibleGpus, int subtask) {
        if (override != null && !override.isBlank()) return override.trim();
        if (!assignedIndexes.isEmpty() && visibleGpus > 0) {
            String index = assignedIndexes.get(Math.floorMod(subtask, assignedIndexes.size())).trim();
            int i;
            try {
                i = Integer.parseInt(index);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Flink assigned a GPU with index '" + index + "', which is not a number", e);
            }
            // One visible GPU: CUDA_VISIBLE_DEVICES narrowed to the assigned one, which libtorch numbers 0.
            if (visibleGpus == 1) return "gpu0";
            if (i < 0 || i >= visibleGpus) {
                throw new IllegalArgumentException("Flink assigned GPU index " + i + " but libtorch sees only "
                        + visibleGpus + " GPUs; check CUDA_VISIBLE_DEVICES and the discovery script");
            }
            return "gpu" + i;
        }
        if (visibleGpus > 0) return "gpu" + Math.floorMod(subtask, visibleGpus);
        return "cpu";
    }

    /** The "index" properties of the assigned GPUs, in numeric order. */
    static List<String> indexes(java.util.Set<org.apache.flink.api.common.externalresource.ExternalResourceInfo> infos) {
        return infos.stream().map(i -> i.getProperty("index")).flatMap(Optional::stream)
                .sorted(java.util.Comparator.comparingInt((String x) -> x.trim().length()).thenComparing(String::trim)).toList();
    }
}
