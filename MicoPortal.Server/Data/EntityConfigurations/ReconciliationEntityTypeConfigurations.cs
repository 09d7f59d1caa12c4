using MicoPortal.Server.Reconciliation;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MicoPortal.Server.Data.EntityConfigurations;

internal sealed class ReconciliationRunEntityTypeConfiguration : IEntityTypeConfiguration<ReconciliationRun>
{
    public void Configure(EntityTypeBuilder<ReconciliationRun> builder)
    {
        builder.ToTable("ReconciliationRuns");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Provider).HasMaxLength(Providers.ProviderCatalog.MaxNameLength).HasDefaultValue(Providers.ProviderCatalog.DefaultProvider);
        builder.Property(r => r.FileName).HasMaxLength(260);
        builder.Property(r => r.StoredFile).HasMaxLength(260);
        builder.Property(r => r.UploadedBy).HasMaxLength(256);
        builder.Property(r => r.Error).HasMaxLength(1_000);
        builder.HasIndex(r => r.State);
        builder.ComplexProperty(r => r.Counts, counts =>
        {
            // Each count keeps the column it had as a property of the run itself (Rows, Matched...): no schema change.
            foreach (var count in counts.Metadata.ComplexType.GetProperties())
            {
                count.SetColumnName(count.Name);
            }
        });
    }
}

internal sealed class ReconciliationItemEntityTypeConfiguration : IEntityTypeConfiguration<ReconciliationItem>
{
    public void Configure(EntityTypeBuilder<ReconciliationItem> builder)
    {
        builder.ToTable("ReconciliationItems");
        builder.HasKey(i => i.Id);
        builder.Property(i => i.Kind).HasConversion<string>().HasMaxLength(24);
        builder.Property(i => i.ClientRef).HasMaxLength(128);
        builder.Property(i => i.PortalStatus).HasMaxLength(16);
        builder.Property(i => i.PortalCurrency).HasMaxLength(3);
        builder.Property(i => i.ProviderRef).HasMaxLength(128);
        builder.Property(i => i.ProviderStatus).HasMaxLength(32);
        builder.Property(i => i.Serial).HasMaxLength(128);
        builder.Property(i => i.Currency).HasMaxLength(16);
        builder.Property(i => i.Note).HasMaxLength(300);
        builder.HasOne<ReconciliationRun>().WithMany().HasForeignKey(i => i.RunId).OnDelete(DeleteBehavior.Cascade);
        // The report's drill-down: one run's items of one kind, in file order.
        builder.HasIndex(i => new { i.RunId, i.Kind, i.Id });
    }
}
