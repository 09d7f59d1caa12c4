namespace MicoPortal.Server.Providers;

/// <summary>Facts about one HTTP call, kept for the attempt timeline.</summary>
public readonly record struct CallInfo(int? HttpStatus, int LatencyMs);

/// <summary>Outcome of a create call, sorted by what it proves.</summary>
public abstract record CreateResult(CallInfo Call)
{
    /// <summary>The provider holds the order and told us its view (200/201).</summary>
    public sealed record Accepted(ProviderOrder Order, CallInfo Call) : CreateResult(Call);

    /// <summary>A definite refusal: the order was not taken (400, 409 REF_CONFLICT...).</summary>
    public sealed record Rejected(string Code, string Message, CallInfo Call) : CreateResult(Call);

    /// <summary>No usable answer: the order may or may not exist. Never a reason to send again.</summary>
    public sealed record Unknown(string Error, TimeSpan? RetryAfter, CallInfo Call) : CreateResult(Call);

    /// <summary>Nothing was sent (the provider was paused at the last moment): the order may be routed again.</summary>
    public sealed record NotSent(string Reason) : CreateResult(default(CallInfo));
}

/// <summary>Outcome of a batch status query.</summary>
public abstract record QueryResult(CallInfo Call)
{
    public sealed record Answered(IReadOnlyList<ProviderOrder> Orders, IReadOnlyList<string> NotFound, CallInfo Call) : QueryResult(Call);

    public sealed record Failed(string Error, TimeSpan? RetryAfter, CallInfo Call) : QueryResult(Call);
}

/// <summary>Outcome of an account lookup: null response when the provider could not answer.</summary>
public sealed record LookupResult(ProviderLookupResponse? Response, string? Error, CallInfo Call);

/// <summary>Outcome of a balance read: null balance when the provider could not answer.</summary>
public sealed record BalanceResult(ProviderBalance? Balance, string? Error, CallInfo Call);
