namespace Databunker.Core.Privacy;

/// <summary>The lawful bases of GDPR Art. 6(1), points (a) to (f).</summary>
public enum LegalBasis
{
    /// <summary>(a) The person has given consent to the processing for one or more specific purposes.</summary>
    Consent = 1,

    /// <summary>(b) Necessary for a contract with the person, or for steps at their request before entering into one.</summary>
    Contract = 2,

    /// <summary>(c) Necessary for compliance with a legal obligation of the controller.</summary>
    LegalObligation = 3,

    /// <summary>(d) Necessary to protect the vital interests of the person or of another natural person.</summary>
    VitalInterests = 4,

    /// <summary>(e) Necessary for a task carried out in the public interest or in the exercise of official authority.</summary>
    PublicTask = 5,

    /// <summary>(f) Necessary for the legitimate interests of the controller or a third party, unless overridden by the person's.</summary>
    LegitimateInterests = 6,
}
