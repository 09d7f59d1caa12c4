namespace MicoPortal.Server.Data;

/// <summary>Section <c>Database</c>, plus the top-level <c>DataDirectory</c> key of CONTRACT.md section 6.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary><c>Sqlite</c> (embedded default). <c>SqlServer</c> arrives with the production deployment work.</summary>
    public string Provider { get; set; } = "Sqlite";

    /// <summary>Overrides the SQLite file under <c>DataDirectory</c> when set (connection string <c>Portal</c>).</summary>
    public string? ConnectionString { get; set; }
}
