package io.ctagent.notrack;

import java.util.List;

import io.ctagent.hostagent.Tool;

/** A host command a backend wants run: the tool, its arguments and, for nft, the script on stdin. */
record HostCommand(Tool tool, List<String> args, String stdin) {

    static HostCommand of(Tool tool, List<String> args) {
        return new HostCommand(tool, List.copyOf(args), null);
    }
}
