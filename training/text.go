package training

// whyText says why the training target matters to a care provider.
const whyText = "Most data breaches reported to the ICO are everyday mistakes rather than cyber attacks, most often an email sent to the wrong person, " +
	"and phishing is the attack care providers meet most: in the Department of Health and Social Care's 2025 survey of adult social care, three in four providers who had an incident had faced phishing. " +
	"Training is how staff learn to avoid both, and to speak up quickly when something goes wrong. " +
	"The Data Security and Protection Toolkit asks that at least 95% of staff, directors, trustees and volunteers have completed data security training in the last twelve months (3.2.1). " +
	"It is needed to reach Standards Met, which NHS and council contracts often require and which opens up NHSmail and GP Connect."

// fixText says how to reach the target.
const fixText = `1. Ask each person listed as overdue to complete data security training. A pass in the Handwash phishing quiz in the dashboard (the pass mark is 80%) counts as evidence; so does a course such as Data Security Awareness Level 1, or your own training with a record of who attended.
2. Record each completion in Handwash: add the date to your staff register and import it again, or record it by hand.
3. Check that the register holds everyone the DSPT counts (staff, directors, trustees and volunteers) and nobody else: give people who have left a leaving date, so they stop counting.
4. Book refresher training before each person's training lapses, twelve months after they last completed it: the people listed as due come next.`
