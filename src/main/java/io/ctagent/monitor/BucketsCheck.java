package io.ctagent.monitor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.ctagent.monitor.Finding.ProposedRequest;
import io.ctagent.tuning.Recommendation;
import io.ctagent.usage.ConntrackUsage;

/** A hash table too small for the table's max. */
final class BucketsCheck implements DiagnosisCheck {

    BucketsCheck() {
    }

    @Override
    public List<Finding> check(DiagnosisFacts facts) {
        return bucketsTooFew(facts.own(), facts.recommendation()).stream().toList();
    }

    Optional<Finding> bucketsTooFew(ConntrackUsage own, Recommendation recommendation) {
        if (own.buckets() == 0 || (double) own.max() / own.buckets() <= DiagnosisService.MAX_ENTRIES_PER_BUCKET) {
            return Optional.empty();
        }
        long buckets = recommendation.buckets().recommended();
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("max", own.max());
        evidence.put("buckets", own.buckets());
        evidence.put("entriesPerBucketAtMax", Math.round(100.0 * own.max() / own.buckets()) / 100.0);
        evidence.put("recommendedBuckets", buckets);
        return Optional.of(new Finding("buckets-too-few", Severity.WARNING, "Hash table too small for max",
                "A full table would hold " + evidence.get("entriesPerBucketAtMax") + " entries per bucket; every "
                        + "packet walks that chain. " + recommendation.buckets().reason(),
                evidence, new ProposedRequest("PUT", "/api/v1/hashsize", Map.of("value", buckets, "persist", true),
                "operator", "resize the hash table to " + buckets + " buckets")));
    }
}
