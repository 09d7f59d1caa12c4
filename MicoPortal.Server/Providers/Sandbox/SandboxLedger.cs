using System.Collections.Concurrent;
using System.Globalization;
using MicoPortal.Server.Infrastructure;
using MicoPortal.Server.Reconciliation;

namespace MicoPortal.Server.Providers.Sandbox;

/// <summary>One row of the sandbox's transaction log (the CSV header of docs/api.md section 7).</summary>
public sealed record SandboxLedgerRow(
    string ClientRef,
    string ProviderRef,
    string Status,
    string? Serial,
    int Quantity,
    string Amount,
    string Currency,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? CreatedAt = null);

/// <summary>How many discrepancies of each kind to inject into an exported log.</summary>
public sealed record SandboxDiscrepancyPlan(int Missing = 0, int Extra = 0, int Status = 0, int Amount = 0, int Seed = 1);

/// <summary>One injected discrepancy: its reconciliation kind (contract words) and the row's clientRef.</summary>
public sealed record SandboxDiscrepancy(string Kind, string ClientRef)
{
    public const string MissingAtProvider = "missingAtProvider";
    public const string MissingInPortal = "missingInPortal";
    public const string StatusMismatch = "statusMismatch";
    public const string AmountMismatch = "amountMismatch";
}

/// <summary>What the sandbox saw of the create calls for one clientRef.</summary>
/// <param name="Received">Every create call that named the clientRef with a valid body, whatever its answer.</param>
/// <param name="Committed">Create calls that stored a new order (0 or 1).</param>
/// <param name="Replayed">Create calls answered 200 for an order that already existed.</param>
/// <param name="SentAgainUnasked">
/// Create calls that came after an earlier create for the same clientRef with no REF_NOT_FOUND answered
/// for it in between: each one breaks the rule that a create is re-sent only after REF_NOT_FOUND.
/// </param>
/// <param name="NotFoundAnswered">REF_NOT_FOUND answers (GET 404 or a query's notFound) given for the clientRef after a create.</param>
/// <summary>Where the callbacks for one clientRef stand.</summary>
/// <param name="Planned">Status changes a callback was planned for (the dispatcher took them).</param>
/// <param name="Finished">Of those, how many the dispatcher is done with: sent, dropped by a fault or given up.</param>
/// <param name="Delivered">Callbacks the receiver answered with a 2xx (duplicates and retries included).</param>
public sealed record SandboxCallbackProgress(int Planned, int Finished, int Delivered)
{
    /// <summary>Nothing planned is still on its way: what was received is all that will come (until the status moves again).</summary>
    public bool Quiet => Finished == Planned;
}

public sealed record SandboxCreateCounts(int Received, int Committed, int Replayed, int SentAgainUnasked = 0, int NotFoundAnswered = 0);

/// <summary>
/// The sandbox provider's memory and the ground truth for tests and reconciliation: every clientRef
/// it was ever asked to create, the order it stored (if any), and per-ref scenario bookkeeping.
/// Thread-safe: the dictionary is concurrent and each entry is mutated under its own lock.
/// </summary>
public sealed class SandboxLedger(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    // Orders that still owe a callback; keeps the dispatcher from scanning settled orders forever.
    private readonly ConcurrentDictionary<string, Entry> _unsettled = new(StringComparer.Ordinal);

    // Random faults injected so far, by kind: a handful of keys, so it stays small however long it runs.
    private readonly ConcurrentDictionary<string, long> _faults = new(StringComparer.Ordinal);

    /// <summary>Random faults (SandboxFaults) injected so far, by kind, for tests and benchmarks to report.</summary>
    public IReadOnlyDictionary<string, long> FaultsInjected() => new SortedDictionary<string, long>(_faults, StringComparer.Ordinal);

    /// <summary>References remembered, and those still owing a callback (bounded by RetentionMinutes).</summary>
    public (int Remembered, int Unsettled) Size() => (_entries.Count, _unsettled.Count);

    internal void CountFault(string kind) => _faults.AddOrUpdate(kind, 1, (_, n) => n + 1);

    // The prepaid float. A decimal is not atomic, hence the lock; it is a leaf lock (taken inside an entry's).
    private readonly Lock _balanceLock = new();
    private decimal _balance = SandboxOptions.DefaultBalance;

    /// <summary>
    /// The prepaid float: <c>Sandbox:Balance</c> at start, less the <c>maxPrice.amount</c> of every order planned
    /// to end in SUCCESS (charged once, when committed). It may go negative: the sandbox keeps delivering, and a
    /// clamped figure would no longer add up to the orders it served.
    /// </summary>
    public decimal Balance
    {
        get
        {
            lock (_balanceLock)
            {
                return _balance;
            }
        }
    }

    /// <summary>Sets the float (start-up and <c>PUT /sandbox/admin/balance</c>); later deliveries are charged from it.</summary>
    public void SetBalance(decimal balance)
    {
        lock (_balanceLock)
        {
            _balance = balance;
        }
    }

    // Every create that reached the handler with a clientRef, in arrival order; pruned with the orders.
    private readonly ConcurrentQueue<(string ClientRef, DateTimeOffset At)> _arrivals = new();

    /// <summary>
    /// When each create request arrived (replays and rejected ones included, if the body named a clientRef),
    /// ordered by time: lets a test prove no create reached this provider after some moment.
    /// Kept as long as the orders (<c>Sandbox:RetentionMinutes</c>).
    /// </summary>
    public IReadOnlyList<(string ClientRef, DateTimeOffset At)> CreateArrivals() =>
        // OrderBy is stable: arrivals at the same instant stay in the order they were recorded.
        _arrivals.ToArray().OrderBy(a => a.At).ToList();

    internal void RecordCreateArrival(string clientRef, DateTimeOffset at) => _arrivals.Enqueue((clientRef, at));

    // Requests in the current second, for Sandbox:MaxRequestsPerSecond: (second << 32) | count in one long, so one CAS moves both.
    private long _rateWindow;

    /// <summary>Counts one request in <paramref name="second"/>; false when <paramref name="cap"/> requests were already counted in it.</summary>
    internal bool TryCountRequest(long second, int cap)
    {
        while (true)
        {
            var current = Interlocked.Read(ref _rateWindow);
            var (windowSecond, count) = (current >> 32, (int)(current & 0xFFFFFFFF));
            var next = windowSecond == (second & 0x7FFFFFFF) ? count + 1 : 1;
            if (next > cap)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _rateWindow, ((second & 0x7FFFFFFF) << 32) | (uint)next, current) == current)
            {
                return true;
            }
        }
    }

    /// <summary>Create calls received and committed for <paramref name="clientRef"/>.</summary>
    public SandboxCreateCounts GetCreateCounts(string clientRef)
    {
        if (!_entries.TryGetValue(clientRef, out var entry))
        {
            return new SandboxCreateCounts(0, 0, 0);
        }

        return Counts(entry);
    }

    /// <summary>Create counts for every clientRef the sandbox still remembers, for tests that audit a whole run.</summary>
    public IReadOnlyDictionary<string, SandboxCreateCounts> AllCreateCounts() =>
        _entries.ToDictionary(e => e.Key, e => Counts(e.Value), StringComparer.Ordinal);

    private static SandboxCreateCounts Counts(Entry entry)
    {
        lock (entry)
        {
            return new SandboxCreateCounts(entry.CreatesReceived, entry.CreatesCommitted, entry.CreatesReplayed,
                entry.CreatesSentAgainUnasked, entry.NotFoundAnswered);
        }
    }

    public int CreatesReceived(string clientRef) => GetCreateCounts(clientRef).Received;

    public int CreatesCommitted(string clientRef) => GetCreateCounts(clientRef).Committed;

    /// <summary>
    /// Polls of the callback dispatcher so far. A test that waits for two more polls after a change knows the
    /// dispatcher has looked at it, instead of sleeping and hoping.
    /// </summary>
    public long CallbackPolls => Interlocked.Read(ref _callbackPolls);

    private long _callbackPolls;

    /// <summary>The callbacks planned and finished for this clientRef: with <see cref="CallbackPolls"/>, lets a test prove that none is coming.</summary>
    public SandboxCallbackProgress CallbackProgress(string clientRef)
    {
        if (!_entries.TryGetValue(clientRef, out var entry))
        {
            return new SandboxCallbackProgress(0, 0, 0);
        }

        lock (entry)
        {
            return new SandboxCallbackProgress(entry.CallbacksPlanned, entry.CallbacksFinished, Volatile.Read(ref entry.CallbacksDelivered));
        }
    }

    /// <summary>Callbacks for this clientRef that the receiver answered with a 2xx.</summary>
    public int CallbacksDelivered(string clientRef) =>
        _entries.TryGetValue(clientRef, out var entry) ? Volatile.Read(ref entry.CallbacksDelivered) : 0;

    /// <summary>The stored order, or null when the provider never accepted this clientRef.</summary>
    public SandboxOrder? GetOrder(string clientRef) =>
        _entries.TryGetValue(clientRef, out var entry) ? entry.Order : null;

    /// <summary>The provider's truth about the order right now, or null when it does not exist.</summary>
    public ProviderOrder? GetTruth(string clientRef) => GetOrder(clientRef)?.SnapshotAt(time.GetUtcNow());

    /// <summary>The transaction log: every order whose current state was last updated in [from, to].</summary>
    public IReadOnlyList<SandboxLedgerRow> Export(DateTimeOffset from, DateTimeOffset to)
    {
        var now = time.GetUtcNow();
        var rows = new List<SandboxLedgerRow>();
        foreach (var entry in _entries.Values)
        {
            if (entry.Order is not { } order)
            {
                continue;
            }

            var truth = order.SnapshotAt(now);
            if (truth.UpdatedAt < from || truth.UpdatedAt > to)
            {
                continue;
            }

            rows.Add(new SandboxLedgerRow(
                truth.ClientRef,
                truth.ProviderRef,
                truth.Status,
                truth.Proof?.Serial,
                order.Request.Quantity,
                // The sandbox charges exactly the maximum price the portal allowed.
                order.Request.MaxPrice.Amount,
                order.Request.MaxPrice.Currency,
                truth.UpdatedAt,
                truth.CreatedAt));
        }

        rows.Sort((a, b) => a.UpdatedAt.CompareTo(b.UpdatedAt));
        return rows;
    }

    /// <summary><see cref="Export"/> as the CSV the reconciliation upload takes.</summary>
    public string ExportCsv(DateTimeOffset from, DateTimeOffset to) => ToCsv(Export(from, to));

    /// <summary>
    /// The log with discrepancies of each kind injected into copies of real rows (the sandbox's own
    /// state is untouched), and which rows they are, so a test knows exactly what a reconciliation
    /// must find. Rows are picked away from the first and last, so the log's time range stays the same.
    /// </summary>
    public (string Csv, IReadOnlyList<SandboxDiscrepancy> Injected) ExportWithDiscrepancies(DateTimeOffset from, DateTimeOffset to, SandboxDiscrepancyPlan plan)
    {
        var rows = Export(from, to).ToList();
        var injected = new List<SandboxDiscrepancy>();
        var random = new Random(plan.Seed);
        var candidates = Enumerable.Range(1, Math.Max(0, rows.Count - 2)).OrderBy(_ => random.Next()).ToList();
        var next = 0;
        int? Pick() => next < candidates.Count ? candidates[next++] : null;

        // A dropped row is "missing at provider" only if the portal sent the order inside the log's
        // range (first to last updatedAt): keep a second's margin from both ends.
        var dropped = new List<int>();
        var margin = TimeSpan.FromSeconds(1);
        var insideRange = rows.Count < 3 ? [] : candidates
            .Where(at => rows[at].CreatedAt >= rows[0].UpdatedAt + margin && rows[at].CreatedAt <= rows[^1].UpdatedAt - margin)
            .Take(plan.Missing)
            .ToList();
        candidates.RemoveAll(insideRange.Contains);
        foreach (var at in insideRange)
        {
            injected.Add(new SandboxDiscrepancy(SandboxDiscrepancy.MissingAtProvider, rows[at].ClientRef));
            dropped.Add(at);
        }

        for (var i = 0; i < plan.Status && Pick() is { } at; i++)
        {
            var row = rows[at];
            var status = row.Status == ProviderStatuses.Success ? ProviderStatuses.Failed : ProviderStatuses.Success;
            rows[at] = row with { Status = status, Serial = status == ProviderStatuses.Success ? row.Serial ?? $"FAKE-{row.ClientRef}" : row.Serial };
            injected.Add(new SandboxDiscrepancy(SandboxDiscrepancy.StatusMismatch, row.ClientRef));
        }

        for (var i = 0; i < plan.Amount && Pick() is { } at; i++)
        {
            var row = rows[at];
            rows[at] = i % 2 == 0
                ? row with { Quantity = row.Quantity + 1 }
                : row with { Amount = (decimal.Parse(row.Amount, CultureInfo.InvariantCulture) + 1m).ToString(CultureInfo.InvariantCulture) };
            injected.Add(new SandboxDiscrepancy(SandboxDiscrepancy.AmountMismatch, row.ClientRef));
        }

        foreach (var at in dropped.OrderDescending())
        {
            rows.RemoveAt(at);
        }

        for (var i = 0; i < plan.Extra && rows.Count > 2; i++)
        {
            var template = rows[random.Next(1, rows.Count - 1)];
            var clientRef = $"{9_000_000_000L + random.Next(1_000_000)}-1";
            rows.Insert(rows.IndexOf(template) + 1, template with { ClientRef = clientRef, ProviderRef = $"X{clientRef}" });
            injected.Add(new SandboxDiscrepancy(SandboxDiscrepancy.MissingInPortal, clientRef));
        }

        return (ToCsv(rows), injected);
    }

    /// <summary>The log as the provider writes it: values exactly as they are (no spreadsheet guard), quoted where needed.</summary>
    private static string ToCsv(IEnumerable<SandboxLedgerRow> rows)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = Csv.Writer(text, TransactionLogReader.Columns))
        {
            foreach (var row in rows)
            {
                using var line = csv.NewRow();
                line["clientRef"].Set(row.ClientRef);
                line["providerRef"].Set(row.ProviderRef);
                line["status"].Set(row.Status);
                line["serial"].Set(row.Serial);
                line["quantity"].Format(row.Quantity);
                line["amount"].Set(row.Amount);
                line["currency"].Set(row.Currency);
                line["updatedAt"].Format(row.UpdatedAt.UtcDateTime, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'");
            }
        }

        return text.ToString();
    }

    // ---- used by the endpoints and the callback dispatcher ----

    /// <summary>Records a create call; the first one fixes the scenario and the order's first-seen time.</summary>
    internal Entry TrackCreate(ProviderCreateOrderRequest request, DateTimeOffset now)
    {
        var entry = _entries.GetOrAdd(
            request.ClientRef,
            static (_, state) => new Entry(SandboxScenarios.Resolve(state.UserId), state.Now),
            (UserId: request.Account.UserId, Now: now));
        lock (entry)
        {
            if (entry.CreatesReceived > 0 && !entry.NotFoundSinceLastCreate)
            {
                entry.CreatesSentAgainUnasked++;
            }

            entry.CreatesReceived++;
            entry.NotFoundSinceLastCreate = false;
        }

        return entry;
    }

    /// <summary>Records that the provider answered REF_NOT_FOUND for this clientRef: a create may follow.</summary>
    internal void RecordNotFound(string clientRef)
    {
        if (_entries.TryGetValue(clientRef, out var entry))
        {
            lock (entry)
            {
                entry.NotFoundAnswered++;
                entry.NotFoundSinceLastCreate = true;
            }
        }
    }

    internal Entry? Find(string clientRef) => _entries.TryGetValue(clientRef, out var entry) ? entry : null;

    /// <summary>Scenario 96: counts this call if the ref is still within its first rate-limited calls.</summary>
    internal static bool TryConsumeRateLimit(Entry entry)
    {
        lock (entry)
        {
            if (entry.Scenario != SandboxScenario.RateLimited || entry.RateLimitedCalls >= SandboxScenarios.RateLimitedCalls)
            {
                return false;
            }

            entry.RateLimitedCalls++;
            return true;
        }
    }

    /// <summary>Scenario 97: time left in the maintenance window, counted from the first create call.</summary>
    internal static TimeSpan? MaintenanceLeft(Entry entry, DateTimeOffset now)
    {
        if (entry.Scenario != SandboxScenario.Maintenance)
        {
            return null;
        }

        var left = entry.FirstSeenAt + SandboxScenarios.MaintenanceWindow - now;
        return left > TimeSpan.Zero ? left : null;
    }

    /// <summary>Scenario 94: only the first create times out, so a resubmission after REF_NOT_FOUND works.</summary>
    internal static bool TryConsumeDropBeforeCommit(Entry entry)
    {
        lock (entry)
        {
            if (entry.Scenario != SandboxScenario.DropBeforeCommit || entry.DroppedBeforeCommit || entry.Order is not null)
            {
                return false;
            }

            entry.DroppedBeforeCommit = true;
            return true;
        }
    }

    /// <summary>Scenario 99: the first answer about a stored order is garbled, once.</summary>
    internal static bool TryConsumeMalformed(Entry entry)
    {
        lock (entry)
        {
            if (entry.Scenario != SandboxScenario.MalformedFirst || entry.Order is null || entry.MalformedServed)
            {
                return false;
            }

            entry.MalformedServed = true;
            return true;
        }
    }

    /// <summary>
    /// Stores a new order, or says whether the existing one has the same body. A new plain order is out of
    /// stock at <paramref name="outOfStockRate"/> (decided here, once per clientRef).
    /// </summary>
    internal CommitResult Commit(Entry entry, ProviderCreateOrderRequest request, DateTimeOffset now, double outOfStockRate = 0)
    {
        lock (entry)
        {
            if (entry.Order is { } existing)
            {
                if (!existing.SameBody(request))
                {
                    return new CommitResult(CommitOutcome.Conflict, existing);
                }

                entry.CreatesReplayed++;
                return new CommitResult(CommitOutcome.Existing, existing);
            }

            // The scenario comes from this body: a 94 resubmission gets the default timeline. Only a plain
            // order can be out of stock, so 91 to 99 always keep their scenario.
            var scenario = SandboxScenarios.Resolve(request.Account.UserId) switch
            {
                SandboxScenario.DropBeforeCommit => SandboxScenario.Default,
                SandboxScenario.Default when SandboxScenarios.IsOutOfStock(request.ClientRef, outOfStockRate) => SandboxScenario.OutOfStock,
                var resolved => resolved,
            };
            if (scenario == SandboxScenario.OutOfStock)
            {
                CountFault(nameof(SandboxScenario.OutOfStock));
            }

            var order = new SandboxOrder(request, scenario, now);
            entry.Order = order;
            entry.CreatesCommitted++;

            // Charged here, once, for every order whose timeline ends in SUCCESS: a commit happens once per
            // clientRef, and the timeline is fixed now. FAILED (91, out of stock) costs nothing; a 95 ends
            // REVERSED, i.e. refunded, so its net cost is nothing too. The sandbox converts no currency.
            if (order.FinalStatus == ProviderStatuses.Success)
            {
                var amount = decimal.Parse(request.MaxPrice.Amount, NumberStyles.Number, CultureInfo.InvariantCulture);
                lock (_balanceLock)
                {
                    _balance -= amount;
                }
            }

            if (!string.IsNullOrEmpty(request.CallbackUrl))
            {
                _unsettled[request.ClientRef] = entry;
            }

            return new CommitResult(CommitOutcome.Created, order);
        }
    }

    /// <summary>
    /// Orders whose status moved past the last version a callback was planned for. Marks them as
    /// planned, so each change is handed out once. The initial PENDING never makes a callback.
    /// </summary>
    internal List<(SandboxOrder Order, int Version)> TakeDueCallbacks()
    {
        var now = time.GetUtcNow();
        var due = new List<(SandboxOrder, int)>();
        foreach (var (clientRef, entry) in _unsettled)
        {
            lock (entry)
            {
                var order = entry.Order!;
                var version = order.VersionAt(now);
                if (version > order.LastNotifiedVersion && order.Snapshot(version).Status != ProviderStatuses.Pending)
                {
                    order.LastNotifiedVersion = version;
                    entry.CallbacksPlanned++;
                    due.Add((order, version));
                }

                if (order.LastNotifiedVersion >= order.FinalVersion)
                {
                    _unsettled.TryRemove(clientRef, out _);
                }
            }
        }

        Interlocked.Increment(ref _callbackPolls);
        return due;
    }

    /// <summary>The dispatcher is done with one planned callback (sent, dropped or given up).</summary>
    internal void RecordCallbackFinished(string clientRef)
    {
        if (_entries.TryGetValue(clientRef, out var entry))
        {
            lock (entry)
            {
                entry.CallbacksFinished++;
            }
        }
    }

    /// <summary>Forgets orders first seen before <paramref name="cutoff"/> that owe no callback.</summary>
    internal int Prune(DateTimeOffset cutoff)
    {
        var removed = 0;
        foreach (var (clientRef, entry) in _entries)
        {
            if (entry.FirstSeenAt >= cutoff)
            {
                continue;
            }

            // Under the entry's lock, so a commit cannot slip in between the check and the removal.
            lock (entry)
            {
                if (!_unsettled.ContainsKey(clientRef) && _entries.TryRemove(clientRef, out _))
                {
                    removed++;
                }
            }
        }

        // Arrivals are recorded in (nearly) time order, so the old ones are at the front. Only the
        // dispatcher prunes, one call at a time, so peek-then-dequeue takes the entry it looked at.
        while (_arrivals.TryPeek(out var arrival) && arrival.At < cutoff)
        {
            _arrivals.TryDequeue(out _);
        }

        return removed;
    }

    internal void RecordCallbackDelivered(string clientRef)
    {
        if (_entries.TryGetValue(clientRef, out var entry))
        {
            Interlocked.Increment(ref entry.CallbacksDelivered);
        }
    }

    internal enum CommitOutcome
    {
        Created,
        Existing,
        Conflict,
    }

    internal readonly record struct CommitResult(CommitOutcome Outcome, SandboxOrder Order);

    /// <summary>Everything known about one clientRef; fields are guarded by locking the entry.</summary>
    internal sealed class Entry(SandboxScenario scenario, DateTimeOffset firstSeenAt)
    {
        public SandboxScenario Scenario { get; } = scenario;

        public DateTimeOffset FirstSeenAt { get; } = firstSeenAt;

        public volatile SandboxOrder? Order;

        public int CreatesReceived;
        public int CreatesCommitted;
        public int CreatesReplayed;
        public int RateLimitedCalls;
        public int CallbacksDelivered;
        public int CallbacksPlanned;
        public int CallbacksFinished;
        public int CreatesSentAgainUnasked;
        public int NotFoundAnswered;
        public bool NotFoundSinceLastCreate;
        public bool DroppedBeforeCommit;
        public bool MalformedServed;
    }
}
