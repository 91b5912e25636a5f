package io.ctagent.tuning;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

@RestController
@RequestMapping(path = "/api/v1/tuning", produces = "application/json")
@Tag(name = "tuning", description = "Sizing computed from this host's memory, CPUs, kernel rule and observed peak")
class RecommendationController {

    private final RecommendationService recommendations;

    RecommendationController(RecommendationService recommendations) {
        this.recommendations = recommendations;
    }

    @GetMapping("/recommendation")
    @Operation(summary = "Recommended max, buckets and timeouts with reasons, and the PATCH /api/v1/sysctls body "
            + "that applies them")
    Recommendation recommendation() {
        return recommendations.recommend();
    }
}
