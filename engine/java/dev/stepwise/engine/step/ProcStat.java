package dev.stepwise.engine.step;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What the kernel says of one process in {@code /proc/<pid>/stat}: its state, its process group
 * and when it started (clock ticks since boot), which together tell a process from a later one
 * that reused its pid.
 */
record ProcStat(long pid, char state, long groupId, long startTicks) {

  boolean running() {
    return state != 'Z' && state != 'X';
  }

  static Optional<ProcStat> of(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // after "(comm)": state, ppid, pgrp, ... starttime is the 20th field from there
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Optional.of(new ProcStat(pid, fields[0].charAt(0), Long.parseLong(fields[2]),
          Long.parseLong(fields[19])));
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // gone, or no /proc on this machine
    }
  }

  /** Every process there is now; empty without {@code /proc}. */
  static List<ProcStat> all() {
    try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
      return entries.map(dir -> dir.getFileName().toString())
          .filter(name -> !name.isEmpty() && name.chars().allMatch(Character::isDigit))
          .map(name -> of(Long.parseLong(name)))
          .flatMap(Optional::stream)
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /** The running members of process group {@code groupId} that started no earlier than it. */
  static List<ProcStat> groupMembers(long groupId, long groupStartTicks) {
    return all().stream()
        .filter(p -> p.groupId() == groupId && p.running() && p.startTicks() >= groupStartTicks)
        .toList();
  }

  /** Tells this boot from the next; leases from an earlier boot name processes long gone. */
  static String bootId() {
    try {
      return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
