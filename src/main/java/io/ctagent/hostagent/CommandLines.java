package io.ctagent.hostagent;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds the argument list of a host command: the tool's absolute path, behind {@code nsenter --net=...}
 * for a named namespace and {@code sudo -n} in sudo mode. packaging/sudoers.d/conntrack-agent allows
 * exactly these lists (SudoersHostIT checks them), so any change here must change the sudoers file too.
 */
final class CommandLines {

    private static final List<String> NFT_SCRIPT_ON_STDIN = List.of("-f", "-");

    private final HostPaths paths;
    private final Tools tools;
    private final HostPrivilege privilege;

    CommandLines(HostPaths paths, Tools tools, HostPrivilege privilege) {
        this.paths = paths;
        this.tools = tools;
        this.privilege = privilege;
    }

    /**
     * A tool in the target namespace, with sudo in sudo mode. In sudo mode an nft script ({@code nft -f -})
     * goes to the root helper instead, which checks it as root and runs nft itself: sudoers cannot see stdin.
     */
    List<String> privileged(NetnsTarget netns, Tool tool, List<String> args) {
        if (privilege.sudo() && tool == Tool.NFT && args.equals(NFT_SCRIPT_ON_STDIN)) {
            List<String> helper = new ArrayList<>(List.of("nft-apply"));
            netns.name().ifPresent(name -> helper.addAll(List.of("--netns", name)));
            return rootHelper(helper);
        }
        List<String> argv = new ArrayList<>();
        if (privilege.sudo()) {
            argv.add(tools.require(Tool.SUDO).toString());
            argv.add("-n");
        }
        netns.name().ifPresent(name -> {
            argv.add(tools.require(Tool.NSENTER).toString());
            argv.add("--net=" + paths.netnsDir().resolve(name));
            argv.add("--");
        });
        argv.add(tools.require(tool).toString());
        argv.addAll(args);
        return argv;
    }

    /** {@code sudo -n /usr/local/sbin/conntrack-agent-root ARGS}: sudo mode's one way to write as root. */
    List<String> rootHelper(List<String> args) {
        List<String> argv = new ArrayList<>(List.of(tools.require(Tool.SUDO).toString(), "-n",
                tools.require(Tool.ROOT_HELPER).toString()));
        argv.addAll(args);
        return argv;
    }

    /** A tool as the agent's own user in its own namespace: for harmless queries like --version. */
    List<String> unprivileged(Tool tool, List<String> args) {
        List<String> argv = new ArrayList<>();
        argv.add(tools.require(tool).toString());
        argv.addAll(args);
        return argv;
    }
}
