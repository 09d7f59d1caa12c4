using MicoPortal.Client.Services;
using MicoPortal.Shared.Common;
using MicoPortal.Shared.Reconciliation;

namespace MicoPortal.Client.Tests.Mocks;

/// <summary>An <see cref="IReconciliationApi"/> answering from in-memory runs and items, and recording what pages ask for.</summary>
public sealed class FakeReconciliationApi : IReconciliationApi
{
    private readonly Lock _gate = new();
    private readonly List<ReconciliationDto> _runs = [];

    public List<ReconciliationItemDto> Items { get; } = [];
    public Exception? LoadError { get; set; }
    /// <summary>When true, the sandbox endpoint answers 404 as it does with the sandbox provider disabled.</summary>
    public bool SandboxOff { get; set; }
    /// <summary>When set, uploads are refused with this message (as the server's 400 would be).</summary>
    public string? UploadFailure { get; set; }
    /// <summary>The id the next queued run gets.</summary>
    public long NextId { get; set; } = 42;

    public List<(long Id, ReconciliationItemKind? Kind, int Page, int PageSize)> ItemRequests { get; } = [];
    /// <summary>Each upload as sent; <c>Provider</c> is what went in <c>?provider=</c> (null: none, the server's default).</summary>
    public List<(string FileName, string Content, string? Provider)> Uploads { get; } = [];
    /// <summary>Each sandbox shortcut as asked; <c>Provider</c> as for <see cref="Uploads"/>.</summary>
    public List<(int Minutes, string? Provider)> SandboxRuns { get; } = [];
    public int RunListCalls { get; private set; }

    /// <summary>Adds or replaces a run (by id), as the server's job would update it.</summary>
    public void Set(ReconciliationDto run)
    {
        lock (_gate)
        {
            _runs.RemoveAll(r => r.Id == run.Id);
            _runs.Add(run);
        }
    }

    public Task<PagedResult<ReconciliationDto>> GetRunsAsync(int page, int pageSize, CancellationToken cancellationToken = default)
    {
        if (LoadError is not null)
        {
            return Task.FromException<PagedResult<ReconciliationDto>>(LoadError);
        }

        lock (_gate)
        {
            RunListCalls++;
            var newestFirst = _runs.OrderByDescending(r => r.Id).ToList();
            return Task.FromResult(new PagedResult<ReconciliationDto>([.. newestFirst.Skip((page - 1) * pageSize).Take(pageSize)], newestFirst.Count, page, pageSize));
        }
    }

    public Task<ReconciliationDto> GetRunAsync(long id, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return _runs.FirstOrDefault(r => r.Id == id) is { } run
                ? Task.FromResult(run)
                : Task.FromException<ReconciliationDto>(new PortalApiException($"Reconciliation {id} was not found.", 404));
        }
    }

    public Task<PagedResult<ReconciliationItemDto>> GetItemsAsync(long id, ReconciliationItemKind? kind, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ItemRequests.Add((id, kind, page, pageSize));
        }

        var matching = Items.Where(i => kind is null || i.Kind == kind).ToList();
        return Task.FromResult(new PagedResult<ReconciliationItemDto>([.. matching.Skip((page - 1) * pageSize).Take(pageSize)], matching.Count, page, pageSize));
    }

    /// <summary>What <c>POST /api/v1/reconciliations?provider=</c> does with a log (reached through <see cref="FakeLogUpload"/>).</summary>
    public async Task<PortalActionResult<ReconciliationCreated>> UploadAsync(Stream log, string fileName, string? provider = null, CancellationToken cancellationToken = default)
    {
        using var reader = new StreamReader(log);
        Uploads.Add((fileName, await reader.ReadToEndAsync(cancellationToken), provider));
        return UploadFailure is not null
            ? new PortalActionResult<ReconciliationCreated>(false, UploadFailure, null, 400, "VALIDATION")
            : Queue(fileName, provider);
    }

    public Task<PortalActionResult<ReconciliationCreated>> ReconcileSandboxAsync(int minutes = 60, string? provider = null, CancellationToken cancellationToken = default)
    {
        SandboxRuns.Add((minutes, provider));
        return Task.FromResult(SandboxOff
            ? new PortalActionResult<ReconciliationCreated>(false, $"The built-in sandbox does not serve a provider named '{provider ?? "default"}'.", null, 404, "NOT_FOUND")
            : Queue($"sandbox-{provider ?? "default"}-last-{minutes}-minutes.csv", provider));
    }

    private PortalActionResult<ReconciliationCreated> Queue(string fileName, string? provider)
    {
        var id = NextId++;
        Set(TestData.Reconciliation(id, ReconciliationState.Queued, fileName: fileName, provider: provider ?? "default"));
        return new PortalActionResult<ReconciliationCreated>(true, $"{fileName} uploaded.", new ReconciliationCreated(id), 202);
    }
}
