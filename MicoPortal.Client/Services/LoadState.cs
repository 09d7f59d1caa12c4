namespace MicoPortal.Client.Services;

/// <summary>
/// Something a page loads from the portal's API: the last value, or why it could not be loaded. Shown by
/// <c>Loadable</c>; the API's failures are caught here, once, for every page.
/// </summary>
public sealed class LoadState<T> where T : class
{
    // Each load and each pushed value takes a number; only the newest one's outcome is kept.
    private int _generation;

    public T? Value { get; private set; }

    /// <summary>Why the last load failed; <c>null</c> once one succeeds.</summary>
    public string? Error { get; private set; }

    /// <summary>True once a load answered; a <c>null</c> <see cref="Value"/> then means there is none (an order not found).</summary>
    public bool Loaded { get; private set; }

    /// <summary>
    /// Runs <paramref name="load"/> and keeps its answer, or its failure's message (an API error or no connection).
    /// A load overtaken by a later load or a <see cref="Set"/> leaves no trace: its answer is older.
    /// </summary>
    public async Task LoadAsync<TResult>(Func<CancellationToken, Task<TResult>> load, CancellationToken cancellationToken = default)
        where TResult : T?
    {
        var generation = ++_generation;
        try
        {
            var value = await load(cancellationToken);
            if (generation == _generation)
            {
                Value = value;
                Error = null;
                Loaded = true;
            }
        }
        catch (Exception ex) when (ex is PortalApiException or HttpRequestException)
        {
            if (generation == _generation)
            {
                Error = ex.Message;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The page was left.
        }
        catch (OperationCanceledException)
        {
            // Not ours: HttpClient gave up waiting (its timeout). An error the page shows with Try again, not a crash.
            if (generation == _generation)
            {
                Error = "The portal did not answer in time.";
            }
        }
    }

    /// <summary>A value newer than any load still out (a live push): it wins over their answers.</summary>
    public void Set(T value)
    {
        _generation++;
        Value = value;
        Error = null;
        Loaded = true;
    }

    /// <summary>Forgets the value before loading something else (another run, another tab): the page shows loading again.</summary>
    public void Reset()
    {
        _generation++;
        Value = null;
        Error = null;
        Loaded = false;
    }
}
