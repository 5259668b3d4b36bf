package dev.kiln.tsdb.wal;

import dev.kiln.tsdb.storage.StorageException;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Leader/follower group commit in front of one {@link WalWriter}. Committing threads {@link
 * #enqueue} their records (in the order the log must hold them) and then {@link #await} their
 * sequence number. Whichever waiting thread finds no group in progress becomes the leader: it
 * takes the queued commits in order (at most {@value #MAX_GROUP_ENTRIES} commits and, unless a
 * single commit is larger, {@value #MAX_GROUP_SAMPLES} samples), encodes their records into one
 * reused buffer and hands them to the writer in one {@code write}. When the log fsyncs each commit
 * ({@code syncEach}) and at least one commit of the group asks for it ({@link Entry#awaitsSync}),
 * the leader then gives up the lead before it fsyncs: the next group is encoded and written while
 * this fsync runs, and its fsync ({@link WalWriter#sync}) follows at once, covering every group
 * written meanwhile, so the log is fsynced back to back under load and one fsync covers many
 * commits. A commit that asks for an fsync is released once an fsync covering it returned; one
 * that only needs to be written is released once its group is written (its bytes are fsynced by
 * the next fsync of the writer: a later group's, or the log's background sync).
 *
 * <p>The queue is bounded ({@value #QUEUE_CAPACITY} commits): an enqueuer that finds it full
 * leads a group itself, or waits for the group in progress.
 *
 * <p>Errors: when a group's write or fsync fails, every commit of the group fails with that
 * error, and every later commit (queued or new) fails with "write-ahead log failed earlier", as
 * the writer refuses all writes after an I/O error. No commit is reported done unless its group
 * was written (and, with {@code syncEach} when it asks for it, fsynced).
 *
 * <p>The token {@link #enqueue} returns carries the commit's sequence number and whether it
 * awaits an fsync; tokens of later commits compare greater.
 *
 * <p>Thread-safe. The records of an entry are read by the leader, so the arrays an entry refers
 * to must stay unchanged until {@link #await} of its sequence number returned or threw.
 */
final class GroupCommit {
  static final int QUEUE_CAPACITY = 256;
  static final int MAX_GROUP_ENTRIES = 64;
  static final int MAX_GROUP_SAMPLES = 64 * 1024;
  /** A scratch buffer grown past this by one huge commit is dropped after its group. */
  private static final int RETAINED_SCRATCH_BYTES = 1 << 22;

  /** The records of one commit, appended to the writer by the leader of its group. */
  interface Entry {
    /** Appends the records to {@code w} (not flushed), encoding through {@code scratch}. */
    void appendTo(WalWriter w, RecordBuffer scratch);

    /** Number of samples, to bound a group's size. */
    int samples();

    /** Whether the commit must be fsynced before it is released (when the log fsyncs each commit). */
    boolean awaitsSync();
  }

  /** Work done by the sole writer. */
  @FunctionalInterface
  interface IoAction<T> {
    T run() throws IOException;
  }

  private final WalWriter writer;
  private final boolean syncEach;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Entry[] queue = new Entry[QUEUE_CAPACITY];
  private final Entry[] group = new Entry[MAX_GROUP_ENTRIES];
  private RecordBuffer scratch = new RecordBuffer(64 * 1024);

  // Guarded by lock.
  private long enqueued;
  private long taken;
  /** Every commit up to this sequence number is released (written, and fsynced where asked). */
  private long completed;
  /** Every commit up to this sequence number is written (not necessarily fsynced). */
  private long written;
  private boolean leading;
  private StorageException failure;
  private long failedFrom;
  private long failedTo;
  private long groups;
  /** Groups written and not yet fsynced (their leaders are in {@link WalWriter#sync}). */
  private int syncing;

  /**
   * @param syncEach fsync every group that holds a commit asking for it before releasing it (the
   *     log's default durability); when false every group is released once written
   */
  GroupCommit(WalWriter writer, boolean syncEach) {
    this.writer = writer;
    this.syncEach = syncEach;
  }

  /**
   * Queues a commit's records after every earlier one; returns its token for {@link #await}.
   *
   * @throws StorageException when the log failed earlier
   */
  long enqueue(Entry e) {
    lock.lock();
    try {
      while (true) {
        if (failure != null) {
          throw failedEarlier();
        }
        if (enqueued - taken < QUEUE_CAPACITY) {
          break;
        }
        leadOrWait();
      }
      long seq = ++enqueued;
      queue[slot(seq)] = e;
      return seq << 1 | (syncEach && e.awaitsSync() ? 1 : 0);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns once the commit of {@code token} is written (and fsynced, with {@code syncEach} when
   * it asks for it), leading groups while none is in progress.
   *
   * @throws StorageException when its group, or an earlier one, failed
   */
  void await(long token) {
    long seq = token >>> 1;
    boolean awaitsSync = (token & 1) != 0;
    lock.lock();
    try {
      while (true) {
        if (seq <= completed || (!awaitsSync && seq <= written)) {
          return;
        }
        if (failure != null) {
          throw seq <= failedTo && seq >= failedFrom
              ? new StorageException(failure.getMessage(), failure.getCause())
              : failedEarlier();
        }
        leadOrWait();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Writes every queued commit, then runs {@code action} while no group can be written (segment
   * rotation, close). Queued commits are written first even if the action then fails.
   */
  <T> T exclusive(IoAction<T> action) throws IOException {
    lock.lock();
    try {
      while (leading || syncing > 0 || (taken < enqueued && failure == null)) {
        leadOrWait();
      }
      leading = true;
    } finally {
      lock.unlock();
    }
    try {
      return action.run();
    } finally {
      lock.lock();
      try {
        leading = false;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  /** Commits queued and not yet taken by a leader (for tests). */
  int queued() {
    lock.lock();
    try {
      return (int) (enqueued - taken);
    } finally {
      lock.unlock();
    }
  }

  /** Sequence number of the last commit queued (for tests). */
  long lastEnqueued() {
    lock.lock();
    try {
      return enqueued;
    } finally {
      lock.unlock();
    }
  }

  /** Groups written so far (for tests and statistics). */
  long groups() {
    lock.lock();
    try {
      return groups;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Under the lock: writes the next group if commits are queued and no leader is writing one, else
   * waits for a change.
   */
  private void leadOrWait() {
    if (!leading && taken < enqueued) {
      lead();
    } else {
      changed.awaitUninterruptibly();
    }
  }

  private static int slot(long seq) {
    return (int) (seq % QUEUE_CAPACITY);
  }

  private StorageException failedEarlier() {
    Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
    return new StorageException("write-ahead log failed earlier: " + cause.getMessage(), cause);
  }

  /**
   * Takes the next group, writes it without the lock, and publishes the outcome. Called with the
   * lock held and no group in progress; returns with the lock held.
   */
  private void lead() {
    leading = true;
    long first = taken + 1;
    // Enqueuers wait for room only while the queue is full; the waiters for their own commits
    // would only wake to find this group in progress, so they are not woken here.
    boolean wasFull = enqueued - taken >= QUEUE_CAPACITY;
    int count = 0;
    long samples = 0;
    boolean sync = false;
    while (taken < enqueued && count < MAX_GROUP_ENTRIES) {
      int slot = slot(taken + 1);
      Entry e = queue[slot];
      if (count > 0 && samples + e.samples() > MAX_GROUP_SAMPLES) {
        break;
      }
      queue[slot] = null;
      group[count++] = e;
      samples += e.samples();
      sync |= syncEach && e.awaitsSync();
      taken++;
    }
    long last = taken;
    if (wasFull) {
      changed.signalAll(); // room in the queue
    }
    lock.unlock();
    StorageException error = null;
    Error fatal = null;
    long token = 0;
    try {
      for (int i = 0; i < count; i++) {
        group[i].appendTo(writer, scratch);
      }
      token = writer.flush();
    } catch (StorageException e) {
      error = e;
    } catch (RuntimeException | Error e) {
      // A bug while encoding: the unwritten pages may hold part of the group; refuse the rest.
      writer.fail(new IOException("encoding WAL records failed: " + e, e));
      error = new StorageException("write WAL segment " + writer.segmentIndex() + ": " + e, e);
      if (e instanceof Error err) {
        fatal = err;
      }
    } finally {
      Arrays.fill(group, 0, count, null);
      if (scratch.array().length > RETAINED_SCRATCH_BYTES) {
        scratch = new RecordBuffer(64 * 1024);
      }
      lock.lock();
      leading = false;
    }
    if (error == null) {
      written = last;
    }
    if (error == null && sync) {
      // Written: the next leader may write while this group is fsynced.
      syncing++;
      if (taken < enqueued) {
        changed.signalAll();
      }
      lock.unlock();
      try {
        writer.sync(token);
      } catch (StorageException e) {
        error = e;
      } catch (RuntimeException | Error e) {
        error = new StorageException("fsync WAL segment " + writer.segmentIndex() + ": " + e, e);
        if (e instanceof Error err) {
          fatal = err;
        }
      } finally {
        lock.lock();
        syncing--;
      }
    }
    groups++;
    if (error == null && (sync || syncing == 0)) {
      // An fsync covers every byte written before it, so every earlier group is durable too; a
      // group that needs no fsync completes every earlier one only when none is being fsynced.
      completed = Math.max(completed, last);
    } else if (failure == null) {
      failure = error;
      failedFrom = first;
      failedTo = last;
    }
    changed.signalAll();
    if (fatal != null) {
      throw fatal;
    }
  }
}
