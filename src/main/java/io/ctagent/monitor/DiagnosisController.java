package io.ctagent.monitor;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

@RestController
@RequestMapping(path = "/api/v1/diagnosis", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "diagnosis", description = "What is wrong with connection tracking here, and the request that fixes it")
class DiagnosisController {

    private final DiagnosisService diagnosis;

    DiagnosisController(DiagnosisService diagnosis) {
        this.diagnosis = diagnosis;
    }

    @GetMapping
    @Operation(summary = "Findings with severity, evidence and the exact API request that fixes each")
    @ApiResponse(responseCode = "200", description = "the findings, most severe first")
    @ApiResponse(responseCode = "429", description = "ctagent.entries.max-concurrent reads of the whole table "
            + "(entries, summary, diagnosis) are running; retry after Retry-After seconds")
    Diagnosis diagnose() {
        return diagnosis.diagnose();
    }
}
