# The format swiftpm2nix generates (nixpkgs pkgs/development/tools/swiftpm2nix), kept by
# hand for the one dependency: consumed by `swiftpm2nix.helpers ./swiftpm2nix` in
# ../package.nix. workspace-state.json is SwiftPM's .build/workspace-state.json with
# `version` 6 and no `prebuilts`, because the nixpkgs helper asserts version 5..6 (Swift
# 6.3 writes 7; newer helpers turn it into a version 7 edit-mode state themselves).
# nix/check compares the location, revision and version here with ../../Package.resolved.
#
# When Package.resolved changes: update revision/version in workspace-state.json, then the
# hash: the NAR hash of the checkout without .git, i.e. what fetchgit produces:
#   git clone https://github.com/apple/swift-argument-parser sap && git -C sap checkout REV
#   rm -rf sap/.git && nix --extra-experimental-features nix-command hash path sap
# (or `nix-prefetch-git URL REV`; swiftpm2nix itself runs that). The hash below was made
# so from the 1.8.2 checkout SwiftPM resolved for this repo.
{
  workspaceStateFile = ./workspace-state.json;
  hashes = {
    "swift-argument-parser" = "sha256-87davPixt6+/NIuYi2HSc/L6SJqfQClToWPK89N3ToQ=";
  };
}
