using System.Globalization;
using System.Text;
using Hangfire;
using MicoPortal.Server.Audit;
using MicoPortal.Server.Auth;
using MicoPortal.Server.Data;
using MicoPortal.Server.Infrastructure;
using MicoPortal.Server.Providers;
using MicoPortal.Server.Providers.Sandbox;
using MicoPortal.Shared.Audit;
using MicoPortal.Shared.Common;
using MicoPortal.Shared.Reconciliation;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace MicoPortal.Server.Reconciliation;

/// <summary>
/// Reconciliation for admins (docs/api.md section 7): upload the provider's transaction log, follow
/// the run, read and export the report, see past runs.
/// </summary>
public static class ReconciliationApi
{
    private const int MaxPageSize = 500;

    public static IEndpointRouteBuilder MapReconciliationApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/reconciliations").WithTags("Reconciliation").RequireAuthorization(Policies.Admin);
        // The upload is read as a stream, not bound as a form: no antiforgery token is involved, and
        // the auth cookie is SameSite=Strict, so another site cannot post it with an admin's session.
        group.MapPost("", Upload);
        group.MapPost("/sandbox", ReconcileSandbox);
        group.MapGet("", List);
        group.MapGet("/{id:long}", Get);
        group.MapGet("/{id:long}/items", Items);
        group.MapGet("/{id:long}/items.csv", ExportItems);
        return app;
    }

    /// <summary>
    /// <c>multipart/form-data</c> with the log in the field <c>file</c>: stored as it streams in, then queued. Whose log
    /// it is comes in <c>?provider=</c> or a field <c>provider</c> before the file (default <c>default</c>).
    /// </summary>
    public static async Task<Results<Accepted<ReconciliationCreated>, ValidationProblem, ProblemHttpResult>> Upload(
        string? provider, HttpContext http, ReconciliationFiles files, IOptions<ReconciliationOptions> options, IDbContextFactory<PortalDbContext> dbFactory,
        ProviderCatalog providers, IBackgroundJobClient jobs, AuditTrail audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var limit = options.Value.MaxFileBytes;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = limit + 64 * 1024; // the file plus multipart framing
        }

        if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 } boundary)
        {
            return Problems.Of(StatusCodes.Status415UnsupportedMediaType, ErrorCodes.UnsupportedMediaType,
                "Upload the transaction log as multipart/form-data in a field named 'file'.");
        }

        var reader = new MultipartReader(boundary, http.Request.Body);
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                {
                    continue;
                }

                if (disposition.IsFormDisposition() && string.Equals(disposition.Name.Value, "provider", StringComparison.Ordinal))
                {
                    using var field = new StreamReader(section.Body);
                    var value = await field.ReadToEndAsync(cancellationToken);
                    provider = value.Length <= ProviderCatalog.MaxNameLength ? value.Trim() : value;
                    continue;
                }

                if (!disposition.IsFileDisposition() || !string.Equals(disposition.Name.Value, "file", StringComparison.Ordinal))
                {
                    continue;
                }

                provider = string.IsNullOrEmpty(provider) ? ProviderCatalog.DefaultProvider : provider;
                if (providers.Find(provider) is null)
                {
                    return Problems.Validation(new Dictionary<string, string[]> { ["provider"] = [$"No provider named '{provider}' is configured."] });
                }

                var fileName = Path.GetFileName(disposition.FileName.Value ?? disposition.FileNameStar.Value ?? "log.csv");
                var stored = ReconciliationFiles.NewName();
                var (bytes, problem) = await StoreAsync(section.Body, files.PathForNew(stored), limit, cancellationToken);
                if (problem is not null)
                {
                    files.Delete(stored);
                    return problem;
                }

                var run = await QueueAsync(fileName, provider, stored, bytes, ActorName.Of(http), dbFactory, jobs, audit, time, cancellationToken);
                return TypedResults.Accepted($"/api/v1/reconciliations/{run}", new ReconciliationCreated(run));
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(limit);
        }
        catch (InvalidDataException ex)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["file"] = [$"The multipart body could not be read: {ex.Message}"] });
        }

        return Problems.Validation(new Dictionary<string, string[]> { ["file"] = ["No file in a field named 'file'."] });
    }

    /// <summary>
    /// Development and demos: reconcile against the built-in sandbox's own log of the last
    /// <paramref name="minutes"/> minutes (default 60), so the whole loop can be tried with one click.
    /// </summary>
    public static async Task<Results<Accepted<ReconciliationCreated>, ProblemHttpResult>> ReconcileSandbox(
        int? minutes, string? provider, HttpContext http, SandboxInstances sandboxes, IOptions<SandboxOptions> sandbox, ReconciliationFiles files, IDbContextFactory<PortalDbContext> dbFactory,
        IBackgroundJobClient jobs, AuditTrail audit, TimeProvider time, CancellationToken cancellationToken)
    {
        provider = string.IsNullOrEmpty(provider) ? ProviderCatalog.DefaultProvider : provider;
        if (!sandbox.Value.Enabled || !sandboxes.Names.Contains(provider))
        {
            return Problems.Of(StatusCodes.Status404NotFound, ErrorCodes.NotFound, $"The built-in sandbox does not serve a provider named '{provider}'.");
        }

        var ledger = sandboxes.Ledger(provider);

        var to = time.GetUtcNow();
        var from = to - TimeSpan.FromMinutes(Math.Clamp(minutes ?? 60, 1, 7 * 24 * 60));
        var stored = ReconciliationFiles.NewName();
        var csv = ledger.ExportCsv(from, to);
        await File.WriteAllTextAsync(files.PathForNew(stored), csv, new UTF8Encoding(false), cancellationToken);
        var run = await QueueAsync($"sandbox-{provider}-{from:yyyyMMdd-HHmm}-{to:HHmm}.csv", provider, stored, Encoding.UTF8.GetByteCount(csv), ActorName.Of(http), dbFactory, jobs, audit, time, cancellationToken);
        return TypedResults.Accepted($"/api/v1/reconciliations/{run}", new ReconciliationCreated(run));
    }

    public static async Task<Results<Ok<PagedResult<ReconciliationDto>>, ValidationProblem>> List(
        int? page, int? pageSize, IDbContextFactory<PortalDbContext> dbFactory, CancellationToken cancellationToken)
    {
        if (!Paging.TryRead(page, pageSize, 20, MaxPageSize, out var paging, out var pagingProblem))
        {
            return pagingProblem;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var total = await db.ReconciliationRuns.CountAsync(cancellationToken);
        var runs = await db.ReconciliationRuns.AsNoTracking().OrderByDescending(r => r.Id).Skip(paging.Skip).Take(paging.Size).ToListAsync(cancellationToken);
        return TypedResults.Ok(new PagedResult<ReconciliationDto>([.. runs.Select(ToDto)], total, paging.Number, paging.Size));
    }

    public static async Task<Results<Ok<ReconciliationDto>, ProblemHttpResult>> Get(long id, IDbContextFactory<PortalDbContext> dbFactory, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var run = await db.ReconciliationRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        return run is null ? RunNotFound(id) : TypedResults.Ok(ToDto(run));
    }

    public static async Task<Results<Ok<PagedResult<ReconciliationItemDto>>, ValidationProblem, ProblemHttpResult>> Items(
        long id, string? kind, int? page, int? pageSize, IDbContextFactory<PortalDbContext> dbFactory, CancellationToken cancellationToken)
    {
        if (!Paging.TryRead(page, pageSize, 50, MaxPageSize, out var paging, out var pagingProblem))
        {
            return pagingProblem;
        }

        if (ParseKind(kind) is not (true, var wanted))
        {
            return KindProblem(kind);
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.ReconciliationRuns.AnyAsync(r => r.Id == id, cancellationToken))
        {
            return RunNotFound(id);
        }

        var query = ItemsOf(db, id, wanted);
        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderBy(i => i.Id).Skip(paging.Skip).Take(paging.Size).ToListAsync(cancellationToken);
        return TypedResults.Ok(new PagedResult<ReconciliationItemDto>([.. items.Select(ToDto)], total, paging.Number, paging.Size));
    }

    private static readonly string[] ItemColumns =
    [
        "kind", "clientRef", "orderId", "portalStatus", "portalCoins", "portalAmount", "portalCurrency",
        "providerStatus", "providerRef", "serial", "quantity", "amount", "currency", "updatedAt", "note",
    ];

    /// <summary>The report's items as CSV (one kind, or all), streamed: a run can have a million of them.</summary>
    public static async Task<Results<PushStreamHttpResult, ValidationProblem, ProblemHttpResult>> ExportItems(
        long id, string? kind, IDbContextFactory<PortalDbContext> dbFactory, CancellationToken cancellationToken)
    {
        if (ParseKind(kind) is not (true, var wanted))
        {
            return KindProblem(kind);
        }

        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            if (!await db.ReconciliationRuns.AnyAsync(r => r.Id == id, cancellationToken))
            {
                return RunNotFound(id);
            }
        }

        return TypedResults.Stream(async stream =>
        {
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false));
            await using var csv = await Csv.WriterAsync(writer, ItemColumns, CancellationToken.None);
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            await foreach (var i in ItemsOf(db, id, wanted).OrderBy(i => i.Id).AsAsyncEnumerable())
            {
                await using var row = csv.NewRow(CancellationToken.None);
                row["kind"].Set(KindName(i.Kind));
                row["clientRef"].SetText(i.ClientRef);
                row["orderId"].Set(Number(i.OrderId));
                row["portalStatus"].SetText(i.PortalStatus);
                row["portalCoins"].Set(Number(i.PortalCoins));
                row["portalAmount"].Set(Money(i.PortalAmount));
                row["portalCurrency"].SetText(i.PortalCurrency);
                row["providerStatus"].SetText(i.ProviderStatus);
                row["providerRef"].SetText(i.ProviderRef);
                row["serial"].SetText(i.Serial);
                row["quantity"].Set(Number(i.Quantity));
                row["amount"].Set(Money(i.Amount));
                row["currency"].SetText(i.Currency);
                row["updatedAt"].Set(i.UpdatedAt?.ToString("O", CultureInfo.InvariantCulture));
                row["note"].SetText(i.Note);
            }
        }, "text/csv", $"reconciliation-{id}{(wanted is null ? "" : "-" + KindName(wanted.Value))}.csv");
    }

    private static async Task<long> QueueAsync(string fileName, string provider, string stored, long bytes, string? by, IDbContextFactory<PortalDbContext> dbFactory,
        IBackgroundJobClient jobs, AuditTrail audit, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var run = new ReconciliationRun
        {
            FileName = fileName.Length <= 260 ? fileName : fileName[..260],
            StoredFile = stored,
            FileBytes = bytes,
            UploadedAt = time.GetUtcNow(),
            UploadedBy = by,
            Provider = provider,
        };
        db.ReconciliationRuns.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        audit.Add(db, by, AuditActions.ReconciliationUploaded, $"uploaded {provider}'s transaction log '{run.FileName}' ({bytes} bytes) as reconciliation {run.Id}");
        await db.SaveChangesAsync(cancellationToken);
        // The run is durable before the job exists: if the job is lost, the watchdog starts it again.
        jobs.Enqueue<ReconciliationJob>(j => j.RunAsync(run.Id, CancellationToken.None));
        return run.Id;
    }

    /// <summary>Copies the upload to disk, checking its size and its header on the way.</summary>
    private static async Task<(long Bytes, ProblemHttpResult? Problem)> StoreAsync(Stream body, string path, long limit, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        var buffer = new byte[1 << 16];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (total == 0 && TransactionLogReader.CheckHeader(FirstLine(buffer.AsSpan(0, read))) is { } headerProblem)
            {
                return (0, Problems.Of(StatusCodes.Status400BadRequest, ErrorCodes.Validation, "The file is not a transaction log.", headerProblem));
            }

            total += read;
            if (total > limit)
            {
                return (0, TooLarge(limit));
            }

            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }

        return total == 0
            ? (0, Problems.Of(StatusCodes.Status400BadRequest, ErrorCodes.Validation, "The file is empty.", $"The first line must be the header '{TransactionLogReader.Header}'."))
            : (total, null);
    }

    private static string FirstLine(ReadOnlySpan<byte> start)
    {
        var end = start.IndexOfAny((byte)'\n', (byte)'\r');
        return Encoding.UTF8.GetString(end < 0 ? start : start[..end]);
    }

    private static IQueryable<ReconciliationItem> ItemsOf(PortalDbContext db, long id, ReconciliationItemKind? kind)
    {
        var query = db.ReconciliationItems.AsNoTracking().Where(i => i.RunId == id);
        return kind is { } k ? query.Where(i => i.Kind == k) : query;
    }

    /// <summary>No kind means every kind; an unknown one is refused.</summary>
    private static (bool Valid, ReconciliationItemKind? Kind) ParseKind(string? kind) =>
        string.IsNullOrWhiteSpace(kind) ? (true, null)
        : ReconciliationItemKinds.TryParse(kind, out var parsed) || Enum.TryParse(kind, ignoreCase: true, out parsed) && Enum.IsDefined(parsed) ? (true, parsed)
        : (false, null);

    private static string KindName(ReconciliationItemKind kind) => ReconciliationItemKinds.NameOf(kind);

    private static ValidationProblem KindProblem(string? kind) =>
        Problems.Validation(new Dictionary<string, string[]>
        {
            ["kind"] = [$"'{(kind is { Length: > 40 } ? kind[..40] : kind)}' is not one of {string.Join(", ", Enum.GetValues<ReconciliationItemKind>().Select(KindName))}."],
        });

    private static ProblemHttpResult RunNotFound(long id) =>
        Problems.NotFound(ErrorCodes.ReconciliationNotFound, $"Reconciliation {id}");

    private static ProblemHttpResult TooLarge(long limit) =>
        Problems.Of(StatusCodes.Status413PayloadTooLarge, ErrorCodes.PayloadTooLarge, "The file is too large.", $"At most {limit:N0} bytes (Reconciliation:MaxFileBytes).");

    private static string Number(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    private static string Number(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    private static string Money(decimal? value) => value?.ToString("0.00##", CultureInfo.InvariantCulture) ?? "";

    public static ReconciliationDto ToDto(ReconciliationRun r) => new()
    {
        Id = r.Id,
        State = r.State,
        Counts = r.Counts,
        StartedAt = r.StartedAt,
        CompletedAt = r.CompletedAt,
        FileName = r.FileName,
        FileBytes = r.FileBytes,
        BytesRead = r.BytesRead,
        UploadedAt = r.UploadedAt,
        UploadedBy = r.UploadedBy,
        RangeFrom = r.RangeFrom,
        RangeTo = r.RangeTo,
        Error = r.Error,
        Provider = r.Provider,
    };

    private static ReconciliationItemDto ToDto(ReconciliationItem i) => new(
        i.ClientRef, i.OrderId, i.Kind,
        i.PortalStatus is null ? null : new PortalSide(i.PortalStatus, i.PortalCoins ?? 0, i.PortalAmount ?? 0, i.PortalCurrency ?? "", i.PortalAttemptNo ?? 0),
        i.ProviderStatus is null && i.ProviderRef is null ? null : new ProviderSide(i.ProviderRef, i.ProviderStatus, i.Serial, i.Quantity, i.Amount, i.Currency, i.UpdatedAt),
        i.Note);
}

public static class ReconciliationExtensions
{
    public static IServiceCollection AddReconciliation(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ReconciliationOptions>().Bind(configuration.GetSection(ReconciliationOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ReconciliationFiles>();
        services.AddTransient<ReconciliationJob>();
        // Every minute: reconciliations whose job was lost (a restart, an instance that died) start again.
        services.AddRecurringJob<ReconciliationJob>(ReconciliationJob.WatchdogJobId, "0 * * * * *", j => j.ResumeAbandonedAsync(CancellationToken.None));
        return services;
    }
}
