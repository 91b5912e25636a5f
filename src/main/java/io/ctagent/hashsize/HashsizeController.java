package io.ctagent.hashsize;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.ctagent.sysctl.SysctlChange;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

@RestController
@RequestMapping(path = "/api/v1/hashsize", produces = "application/json")
@Tag(name = "hashsize", description = "The connection hash table: size, ratio to max, module or built-in, persistence")
class HashsizeController {

    private final HashsizeReader reader;
    private final HashsizeChanger changer;

    HashsizeController(HashsizeReader reader, HashsizeChanger changer) {
        this.reader = reader;
        this.changer = changer;
    }

    @GetMapping
    @Operation(operationId = "getHashsize",
                summary = "hashsize, buckets, max, chain length, writability with the reason, module or built-in, boot value")
    HashsizeView get() {
        return reader.view();
    }

    @PutMapping(consumes = "application/json")
    @Operation(operationId = "setHashsize",
                summary = "Resize the hash table (global; initial namespace only), optionally persisted")
    SysctlChange put(@RequestBody(required = false) HashsizeRequest body) {
        return changer.change(body);
    }
}
