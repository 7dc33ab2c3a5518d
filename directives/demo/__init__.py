"""Demo directives for `manage.py loaddemo`: the sample letter 1038/STTTT-TTBCXB of 24 June 2021
issued through the real workflow, and one draft, one submitted and one approved directive so
that the drafter, the signer and the clerk each find something on their pages at first login.

Idempotent: each demo directive is recognised by its issuing unit and subject (the sample by
its register entry) and is not created twice. Everything goes through the services, so the
history, dispatches and assignments are exactly what the portal makes.

Numbering: the agency's 2021 register is taken to have reached 1037 on paper before the portal,
so its `Register` row for 2021 is set to 1037 (only if lower) and the sample letter is numbered
through `directive_number` with the register date 24 June 2021: the register itself gives 1038.
The demo signer (`lanhdao`) then signs it with a development key (the dev PKI issues her a
personal certificate; PIN `DEMO_SIGNER_PIN`) and the clerk seals and issues it, so the delivered
PDF carries the two signatures. Entering it as a paper letter instead would have skipped the
history and the signed PDF that the demo is meant to show.

A second issuing unit, UBND huyện Chư Păh, issues from its own register with its own people
(`chupah.chuyenvien` drafts, `chupah.lanhdao` signs, `chupah.vanthu` numbers and seals): its
report on the sample letter goes to the Sở (the Sở's inbox, `stttt`), numbered "01/UBND-VHTT"
although the province's committee writes "UBND" too; a quyết định that is a legal normative
document waits, approved, for its clerk to number it from the district's register of legal
normative documents ("01/<year>/QĐ-UBND"). Its signer and its seal have their own development
certificates, naming Chư Păh.

With the development token (`init_dev_pki` when SoftHSM2 is installed) the demo signers' keys and
the agencies' are the token's (`keys.token_stores`); without it, the development PKCS#12 files.
"""

from __future__ import annotations

from directives.demo.chupah import chupah_letters
from directives.demo.keys import (
    DEMO_SIGNER_PIN,
    sign_and_deliver,
    signer_key_ensure,
    token_stores,
)
from directives.demo.sample import Demo, pending_letters, sample_letter

__all__ = ["DEMO_SIGNER_PIN", "load_demo_directives"]


def load_demo_directives(*, stdout=None) -> None:
    """Add the demo directives; a second run adds nothing."""
    demo = Demo()
    if not demo.ready:
        if stdout is not None:
            stdout.write("Demo directives skipped: load the demo province first.")
        return
    signer_key_ensure(demo.users["lanhdao"])
    token_stores(stdout)
    sample = sample_letter(demo)
    if sample is not None:
        sign_and_deliver(sample, stdout)
    made = pending_letters(demo)
    chupah = chupah_letters(stdout)
    if stdout is not None:
        issued = f"{sample.number_symbol} issued" if sample is not None else "already there"
        stdout.write(f"Demo directives: sample letter {issued}; {len(made)} new in the workflow.")
        if chupah:
            stdout.write(f"UBND huyện Chư Păh: {'; '.join(chupah)}.")
